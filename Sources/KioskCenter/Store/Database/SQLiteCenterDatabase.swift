import Foundation
import GRDB

/// The centre's data in one SQLite file (WAL, full sync, secure delete),
/// through a GRDB pool: readers in parallel, one writer.
public final class SQLiteCenterDatabase: CenterDatabase {
    let pool: DatabasePool
    public let location: String
    public var dialect: SQLDialect { .sqlite }

    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Erased personal data is overwritten, not only unlinked.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Inbox pages count over every open case: read pages in place
            // rather than copied in by a system call each.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        location = path
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            let problems = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard problems == ["ok"] else { throw CenterError.damaged(path, problems.joined(separator: "; ")) }
        }
        let migrator = CenterMigrations.migrator
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
            throw CenterError.schemaNewer(path)
        }
        try migrator.migrate(pool)
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            try pool.read { db in try body(SQLiteConnection(db: db)) }
        }
    }

    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            try pool.write { db in try body(SQLiteConnection(db: db)) }
        }
    }

    public func purgeErasedPages() throws {
        // Out of the write-ahead log too, not only the main file.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    public func integrityCheck() throws -> [String] {
        try pool.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
    }

    public func close() {
        try? pool.close()
    }
}

/// A GRDB connection inside a transaction. Every statement is kept compiled:
/// the store's statements are fixed strings, and compiling one again cost
/// more than running it.
struct SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func fetchAll(_ sql: String, _ arguments: [any SQLArgument]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        statement.arguments = Self.arguments(arguments)
        let columns = statement.columnNames
        return try Row.fetchAll(statement).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
        }
    }

    func execute(_ sql: String, _ arguments: [any SQLArgument]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try db.inSavepoint {
            result = try body()
            return .commit
        }
        return result!
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
