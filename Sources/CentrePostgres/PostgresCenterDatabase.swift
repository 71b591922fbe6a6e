import CentreConfig
import CentreStore
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The centre's data in a PostgreSQL database that several centre
/// processes share. Each process keeps a few connections
/// (`PostgresConnections`); a transaction holds one from `BEGIN` to
/// `COMMIT`. All of it is async: a task waiting on the server is
/// suspended, no thread is.
public final class PostgresCenterDatabase: CenterDatabase {
    public let location: String
    public var dialect: SQLDialect { .postgres }
    let connections: PostgresConnections
    let logger: Logger

    /// Connects and migrates.
    /// - Parameters:
    ///   - settings: the `database:` URL of center.yaml, parsed.
    ///   - password: from the credential file; nil when the server trusts the client.
    public init(_ settings: PostgresSettings, password: String?,
                logger: Logger = Logger(label: "centre.database")) async throws {
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
        self.logger = logger
        location = settings.description
        connections = PostgresConnections(limit: settings.poolSize, configuration: configuration, logger: logger,
                                          location: settings.description)
        do {
            try await withConnection { connection in
                try await PostgresMigrations.migrate(connection, logger: logger, location: settings.description)
            }
        } catch {
            close()
            throw error
        }
    }

    public func read<T>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        // One snapshot for every statement, as a SQLite read transaction has.
        try await withConnection { connection in
            try await self.transaction(connection, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
        }
    }

    public func write<T>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in try await self.transaction(connection, begin: "BEGIN", body) }
            } catch let error as PSQLError where Self.lostARace(error) && attempt < 8 {
                // The server rolled it back; run it again after a short, random pause.
                attempt += 1
                try await Task.sleep(for: .microseconds(Int.random(in: 1_000...20_000) * attempt))
            }
        }
    }

    public func purgeErasedPages() async throws {
        // A row's old versions stay in its table's pages until vacuumed.
        try await withConnection { connection in
            for table in ["submissions", "cases", "case_events"] {
                _ = try await connection.simpleQuery("VACUUM \(table)").get()
            }
        }
    }

    public func integrityCheck() async throws -> [String] {
        // The schema's own rules hold on every row: PostgreSQL enforces them
        // as it writes. What can go wrong is a database the centre cannot
        // read; every table is read here.
        try await read { sql in
            for table in PostgresMigrations.tables { _ = try await sql.fetchAll("SELECT 1 FROM \(table) LIMIT 1") }
            return ["ok"]
        }
    }

    public func close() {
        connections.close()
    }

    // MARK: Connections

    private func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connections.with(body)
    }

    private func transaction<T>(_ connection: PostgresConnection, begin: String,
                                _ body: (any SQLConnection) async throws -> T) async throws -> T {
        do {
            _ = try await connection.simpleQuery(begin).get()
        } catch {
            throw ConnectionLeftOpen(underlying: Self.unavailable(error, location: location))
        }
        let result: T
        do {
            result = try await body(PostgresSQLConnection(connection: connection, logger: logger, location: location))
        } catch let failure {
            do { _ = try await connection.simpleQuery("ROLLBACK").get() } catch {
                // The connection is gone: what the work met says why.
                throw ConnectionLeftOpen(underlying: Self.unavailable(failure, location: location))
            }
            throw failure
        }
        do {
            _ = try await connection.simpleQuery("COMMIT").get()
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

    func fetchAll(_ sql: String, _ arguments: [any SQLArgument]) async throws -> [SQLRow] {
        let (binds, types) = Self.bindings(arguments)
        guard PreparedText.isPreparable(sql) else {
            return try await run(sql, binds).rows.map(Self.row)
        }
        return try await failures {
            try await PreparedText.$current.withValue(PreparedText.statement(sql, types: types)) {
                var rows: [SQLRow] = []
                for try await row in try await connection.execute(PreparedFetch(bindings: binds), logger: logger) {
                    rows.append(row)
                }
                return rows
            }
        }
    }

    func execute(_ sql: String, _ arguments: [any SQLArgument]) async throws -> Int {
        let (binds, types) = Self.bindings(arguments)
        guard PreparedText.isPreparableChange(sql) else { return try await run(sql, binds).metadata.rows ?? 0 }
        return try await failures {
            try await PreparedText.$current.withValue(PreparedText.statement(sql, types: types, counting: true)) {
                var changed = 0
                for try await _ in try await connection.execute(PreparedFetch(bindings: binds), logger: logger) { changed += 1 }
                return changed
            }
        }
    }

    func inSavepoint<T>(_ body: () async throws -> T) async throws -> T {
        savepoints += 1
        let name = "s\(savepoints)"
        _ = try await run("SAVEPOINT \(name)", PostgresBindings())
        do {
            let result = try await body()
            _ = try await run("RELEASE SAVEPOINT \(name)", PostgresBindings())
            return result
        } catch {
            _ = try await run("ROLLBACK TO SAVEPOINT \(name)", PostgresBindings())
            throw error
        }
    }

    /// The values as postgres-nio binds them, and their types (0 for a NULL: the server infers it).
    static func bindings(_ arguments: [any SQLArgument]) -> (PostgresBindings, [PostgresDataType]) {
        var binds = PostgresBindings(capacity: arguments.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: binds.appendNull(); types.append(.null)
            case let .integer(value): binds.append(value); types.append(.int8)
            case let .real(value): binds.append(value); types.append(.float8)
            case let .text(value): binds.append(value); types.append(.text)
            case let .blob(value): binds.append(ByteBuffer(bytes: value)); types.append(.bytea)
            }
        }
        return (binds, types)
    }

    /// A statement that is not prepared (transaction control, the schema's own).
    private func run(_ sql: String, _ binds: PostgresBindings) async throws -> PostgresQueryResult {
        try await failures {
            let query = PostgresQuery(unsafeSQL: SQLPlaceholders.numbered(sql), binds: binds)
            // The future form: it carries the command tag (rows changed) the async form leaves out.
            let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
            return try await result.get()
        }
    }

    /// A unique key taken by another process is a `SQLUniqueConflict` (the
    /// write is tried again); a connection that broke is the database away.
    private func failures<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SQLUniqueConflict(description: PostgresCenterDatabase.describe(error))
        } catch {
            throw PostgresCenterDatabase.unavailable(error, location: location)
        }
    }

    static func row(_ row: PostgresRow) throws -> SQLRow {
        var columns: [String] = [], values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell))
        }
        return SQLRow(columns: columns, values: values)
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
