import CentreStore
import Foundation
import GRDB

/// The centre's data in one SQLite file (WAL, full sync, secure delete):
/// one writing connection and a few reading ones, each lent to one task
/// for a whole transaction.
///
/// A statement inside a transaction costs microseconds of CPU and touches
/// only the page cache, so it runs on the task's own thread, with no hop
/// (one GRDB connection a task at a time, so GRDB's queue is free and runs
/// it in place). What can wait on the disk or on another process — taking
/// the write lock, and the commit's fsync — goes through GRDB's async API
/// to GRDB's own queue, off the concurrency pool.
public final class SQLiteCenterDatabase: CenterDatabase {
    /// The one writing connection (tests watch its commits).
    package let writer: DatabaseQueue
    private let readers: [DatabaseQueue]
    private let writing: ConnectionLine<DatabaseQueue>
    private let reading: ConnectionLine<DatabaseQueue>
    public let location: String
    public var dialect: SQLDialect { .sqlite }

    /// Reads that run side by side (the console's pages, reports, `/metrics`).
    static let readerCount = 4

    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var configuration = Self.configuration()
        let writer = try DatabaseQueue(path: path, configuration: configuration)
        try writer.writeWithoutTransaction { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard problems == ["ok"] else { throw CenterError.damaged(path, problems.joined(separator: "; ")) }
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let migrator = CenterMigrations.migrator
        if try writer.read({ try migrator.hasBeenSuperseded($0) }) {
            throw CenterError.schemaNewer(path)
        }
        try migrator.migrate(writer)
        configuration.readonly = true
        readers = try (0..<Self.readerCount).map { _ in try DatabaseQueue(path: path, configuration: configuration) }
        self.writer = writer
        writing = ConnectionLine([writer])
        reading = ConnectionLine(readers)
        location = path
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Transactions span several calls into one connection, which this
        // type lends to one task at a time from BEGIN to COMMIT.
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            // Erased personal data is overwritten, not only unlinked.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Inbox pages count over every open case: read pages in place
            // rather than copied in by a system call each.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        return configuration
    }

    public func read<T>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await reading.with { queue in
            // A read transaction takes no lock in WAL mode: it cannot wait here.
            try queue.inDatabase { try $0.beginTransaction(.deferred) }
            defer { try? queue.inDatabase { try $0.rollback() } }
            return try await body(SQLiteConnection(queue: queue))
        }
    }

    public func write<T>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await writing.with { queue in
            // Another process (a `kiosk-center` command) may hold the write lock for a while.
            try await queue.writeWithoutTransaction { try $0.beginTransaction(.immediate) }
            let result: T
            do {
                result = try await body(SQLiteConnection(queue: queue))
            } catch {
                try? queue.inDatabase { try $0.rollback() }
                throw error
            }
            do {
                try await queue.writeWithoutTransaction { try $0.commit() }
            } catch {
                try? queue.inDatabase { db in if db.isInsideTransaction { try db.rollback() } }
                throw error
            }
            return result
        }
    }

    public func purgeErasedPages() async throws {
        // Out of the write-ahead log too, not only the main file.
        try await writing.with { queue in
            try await queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
    }

    public func integrityCheck() async throws -> [String] {
        try await reading.with { queue in
            try await queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        }
    }

    public func close() {
        for queue in readers { try? queue.close() }
        try? writer.close()
    }
}

/// A GRDB connection inside a transaction. Every statement is kept compiled:
/// the store's statements are fixed strings, and compiling one again cost
/// more than running it.
final class SQLiteConnection: SQLConnection {
    let queue: DatabaseQueue
    private var savepoints = 0
    var dialect: SQLDialect { .sqlite }

    init(queue: DatabaseQueue) {
        self.queue = queue
    }

    func fetchAll(_ sql: String, _ arguments: [any SQLArgument]) async throws -> [SQLRow] {
        try queue.inDatabase { db in
            let statement = try db.cachedStatement(sql: sql)
            statement.arguments = Self.arguments(arguments)
            let columns = statement.columnNames
            return try Row.fetchAll(statement).map { row in
                SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
            }
        }
    }

    func execute(_ sql: String, _ arguments: [any SQLArgument]) async throws -> Int {
        try queue.inDatabase { db in
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }
    }

    func inSavepoint<T>(_ body: () async throws -> T) async throws -> T {
        savepoints += 1
        let name = "s\(savepoints)"
        try queue.inDatabase { try $0.execute(sql: "SAVEPOINT \(name)") }
        do {
            let result = try await body()
            try queue.inDatabase { try $0.execute(sql: "RELEASE SAVEPOINT \(name)") }
            return result
        } catch {
            try queue.inDatabase { try $0.execute(sql: "ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)") }
            throw error
        }
    }

    static func arguments(_ arguments: [any SQLArgument]) -> StatementArguments {
        StatementArguments(arguments.map { argument -> DatabaseValue in
            switch argument.sqlValue {
            case .null: .null
            case let .integer(value): value.databaseValue
            case let .real(value): value.databaseValue
            case let .text(value): value.databaseValue
            case let .blob(value): value.databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case let .int64(number): .integer(number)
        case let .double(number): .real(number)
        case let .string(text): .text(text)
        case let .blob(data): .blob(data)
        }
    }
}
