import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The centre's data in a PostgreSQL database that several centre
/// processes share. Each process keeps a small pool of connections; a
/// transaction holds one from `BEGIN` to `COMMIT`.
///
/// The store's calls are synchronous (as GRDB's are), so this waits on
/// postgres-nio's futures: the waiting thread is the caller's, the network
/// work runs on NIO's event loops, never on the thread that waits.
public final class PostgresCenterDatabase: CenterDatabase {
    public let location: String
    public var dialect: SQLDialect { .postgres }
    let configuration: PostgresConnection.Configuration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    /// Connections not in use; at most `poolSize` exist at once.
    private let idle = NIOLockedValueBox<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let connectionIDs = NIOLockedValueBox(0)

    /// - Parameters:
    ///   - settings: the `database:` URL of center.yaml, parsed.
    ///   - password: from the credential file; nil when the server trusts the client.
    public init(_ settings: PostgresSettings, password: String?,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "centre.database")) throws {
        var tls: PostgresConnection.Configuration.TLS = .disable
        switch settings.tls {
        case .disable: break
        case .require, .verifyFull:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if settings.tls == .require {
                // libpq's `require`: encrypted, the certificate not checked.
                tlsConfiguration.certificateVerification = .none
            } else if let bundle = settings.rootCertificate {
                tlsConfiguration.trustRoots = .file(bundle)
            }
            tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: password,
            database: settings.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        location = settings.description
        slots = DispatchSemaphore(value: settings.poolSize)
        try withConnection { connection in
            try PostgresMigrations.migrate(connection, logger: logger, location: location)
        }
    }

    deinit { close() }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        // One snapshot for every statement, as a SQLite read transaction has.
        try withConnection { connection in
            try transaction(connection, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
        }
    }

    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try withConnection { connection in try transaction(connection, begin: "BEGIN", body) }
            } catch let error as PSQLError where Self.lostARace(error) && attempt < 8 {
                // The server rolled it back; run it again after a short, random pause.
                attempt += 1
                usleep(UInt32.random(in: 1_000...20_000) * UInt32(attempt))
            }
        }
    }

    public func purgeErasedPages() throws {
        // A row's old versions stay in its table's pages until vacuumed.
        try withConnection { connection in
            for table in ["submissions", "cases", "case_events"] {
                _ = try connection.simpleQuery("VACUUM \(table)").wait()
            }
        }
    }

    public func integrityCheck() throws -> [String] {
        // The schema's own rules hold on every row: PostgreSQL enforces them
        // as it writes. What can go wrong is a database the centre cannot
        // read; every table is read here.
        try read { sql in
            for table in PostgresMigrations.tables { _ = try sql.fetchAll("SELECT 1 FROM \(table) LIMIT 1") }
            return ["ok"]
        }
    }

    public func close() {
        let connections = idle.withLockedValue { connections in
            defer { connections = [] }
            return connections
        }
        for connection in connections { Self.discard(connection) }
    }

    // MARK: Connections

    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let kept = idle.withLockedValue { $0.popLast() }
        let connection: PostgresConnection
        if let kept, !kept.isClosed {
            connection = kept
        } else {
            connection = try connect()
        }
        do {
            let result = try body(connection)
            if !connection.isClosed { idle.withLockedValue { $0.append(connection) } }
            return result
        } catch {
            // A connection whose transaction could not be ended cleanly is
            // not handed out again.
            if !connection.isClosed, !(error is ConnectionLeftOpen) {
                idle.withLockedValue { $0.append(connection) }
            } else {
                Self.discard(connection)
            }
            throw (error as? ConnectionLeftOpen)?.underlying ?? error
        }
    }

    /// Closes a connection without waiting (this may run on an event loop,
    /// where waiting is forbidden); it is kept until closed, as postgres-nio requires.
    private static func discard(_ connection: PostgresConnection) {
        (connection.close() as EventLoopFuture<Void>).whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    private func connect() throws -> PostgresConnection {
        let id = connectionIDs.withLockedValue { id in
            id += 1
            return id
        }
        do {
            return try PostgresConnection.connect(on: eventLoopGroup.next(), configuration: configuration, id: id,
                                                  logger: logger).wait()
        } catch {
            throw DatabaseUnavailable(location: location, reason: Self.describe(error))
        }
    }

    private func transaction<T>(_ connection: PostgresConnection, begin: String,
                                _ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            _ = try connection.simpleQuery(begin).wait()
        } catch {
            throw ConnectionLeftOpen(underlying: Self.unavailable(error, location: location))
        }
        let result: T
        do {
            result = try body(PostgresSQLConnection(connection: connection, logger: logger, location: location))
        } catch let failure {
            do { _ = try connection.simpleQuery("ROLLBACK").wait() } catch {
                // The connection is gone: what the work met says why.
                throw ConnectionLeftOpen(underlying: Self.unavailable(failure, location: location))
            }
            throw failure
        }
        do {
            _ = try connection.simpleQuery("COMMIT").wait()
        } catch {
            // Whether the commit happened is unknown: the caller is told it
            // failed, and only work that is safe to repeat is repeated.
            throw ConnectionLeftOpen(underlying: Self.unavailable(error, location: location))
        }
        return result
    }

    /// A serialization failure or a deadlock: the server undid the transaction.
    static func lostARace(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// A connection that broke, or a server that is shutting down, restarting
    /// or refusing connections (SQLSTATE classes 08 and 57P): the database is
    /// away for now, which callers answer with "try again" (503).
    static func unavailable(_ error: any Error, location: String) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let state = error.serverInfo?[.sqlState]
        guard state == nil || state!.hasPrefix("08") || state!.hasPrefix("57P") else { return error }
        return DatabaseUnavailable(location: location, reason: describe(error))
    }

    /// postgres-nio's errors print "PSQLError – Generic description to prevent accidental leakage of
    /// sensitive data"; this says what happened.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying { return String(describing: underlying) }
        return "\(error.code)"
    }
}

/// The database cannot be reached (refused, down, restarting, network):
/// the request was not stored, and may be sent again.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public var location: String
    public var reason: String
    public var description: String { "the database at \(location) cannot be reached: \(reason)" }
}

/// An error after which the connection's state is unknown.
private struct ConnectionLeftOpen: Error {
    var underlying: any Error
}

/// A connection inside a PostgreSQL transaction.
final class PostgresSQLConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    let location: String
    private var savepoints = 0
    var dialect: SQLDialect { .postgres }

    init(connection: PostgresConnection, logger: Logger, location: String) {
        self.connection = connection
        self.logger = logger
        self.location = location
    }

    func fetchAll(_ sql: String, _ arguments: [any SQLArgument]) throws -> [SQLRow] {
        try run(sql, arguments).rows.map { row in
            var columns: [String] = [], values: [SQLValue] = []
            for cell in row {
                columns.append(cell.columnName)
                values.append(try Self.value(cell))
            }
            return SQLRow(columns: columns, values: values)
        }
    }

    func execute(_ sql: String, _ arguments: [any SQLArgument]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        savepoints += 1
        let name = "s\(savepoints)"
        _ = try connection.simpleQuery("SAVEPOINT \(name)").wait()
        do {
            let result = try body()
            _ = try connection.simpleQuery("RELEASE SAVEPOINT \(name)").wait()
            return result
        } catch {
            _ = try connection.simpleQuery("ROLLBACK TO SAVEPOINT \(name)").wait()
            throw error
        }
    }

    private func run(_ sql: String, _ arguments: [any SQLArgument]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: binds.appendNull()
            case let .integer(value): binds.append(value)
            case let .real(value): binds.append(value)
            case let .text(value): binds.append(value)
            case let .blob(value): binds.append(ByteBuffer(bytes: value))
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: SQLPlaceholders.numbered(sql), binds: binds), logger: logger).wait()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SQLUniqueConflict(description: PostgresCenterDatabase.describe(error))
        } catch {
            throw PostgresCenterDatabase.unavailable(error, location: location)
        }
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bytea: return .blob(Data(bytes.readBytes(length: bytes.readableBytes) ?? []))
        default: return .text(try cell.decode(String.self))
        }
    }
}
