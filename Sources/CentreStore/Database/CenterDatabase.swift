import Foundation

/// Where the centre keeps its data: one SQLite file (a street centre, the
/// default) or a PostgreSQL database that several centre processes share (a
/// district). `CenterStore` holds the rules and the SQL, written once for
/// both; an implementation of this protocol runs it in transactions.
public protocol CenterDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Where the data is, for messages: a path, or `postgres://host:port/name` (never a password).
    var location: String { get }

    /// A consistent read: every statement of `body` sees the same snapshot.
    func read<T>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// One transaction: all of `body` is stored, or none of it. On
    /// PostgreSQL a transaction that lost a race (a serialization failure or
    /// deadlock, which the server rolled back) runs again, so `body` must
    /// only read and write through its connection.
    func write<T>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// After personal data was erased: make sure no copy of it lingers
    /// where the engine keeps old pages (SQLite's write-ahead log).
    func purgeErasedPages() async throws

    /// The engine's own consistency check; `["ok"]` when sound.
    func integrityCheck() async throws -> [String]

    /// Ends every connection without waiting; the database is not used again.
    func close()
}

/// A connection inside one transaction of a `CenterDatabase`. It belongs
/// to the task running the transaction and is not used outside it.
public protocol SQLConnection {
    var dialect: SQLDialect { get }

    /// Runs one statement with `?` placeholders and returns its rows.
    func fetchAll(_ sql: String, _ arguments: [any SQLArgument]) async throws -> [SQLRow]

    /// Runs one statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [any SQLArgument]) async throws -> Int

    /// Runs `body` in a savepoint: if it throws, what it wrote is undone and
    /// the rest of the transaction goes on.
    func inSavepoint<T>(_ body: () async throws -> T) async throws -> T
}

extension SQLConnection {
    public func fetchAll(_ sql: String) async throws -> [SQLRow] { try await fetchAll(sql, []) }

    public func fetchOne(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> SQLRow? {
        try await fetchAll(sql, arguments).first
    }

    /// The first column of the first row; nil when there is no row or it is NULL.
    public func fetchValue<Value: SQLColumnValue>(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> Value? {
        guard let row = try await fetchOne(sql, arguments), row.values.first != .null else { return nil }
        return row[0] as Value
    }

    /// The first column of every row.
    public func fetchColumn<Value: SQLColumnValue>(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> [Value] {
        try await fetchAll(sql, arguments).map { $0[0] as Value }
    }

    @discardableResult
    public func execute(_ sql: String) async throws -> Int { try await execute(sql, []) }
}

/// The few places where the two engines need different SQL.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// The next submission's number, which its reference is made from.
    /// SQLite has one writer at a time; PostgreSQL's sequence serves several
    /// processes at once (a number a failed transaction took is not reused).
    package var nextSubmissionNumber: String {
        switch self {
        case .sqlite: "SELECT COALESCE(MAX(seq), 0) + 1 FROM submissions"
        case .postgres: "SELECT nextval('submissions_seq')"
        }
    }

    /// Appended to a SELECT of a row the transaction will then change: other
    /// processes' transactions wait for this one. SQLite's single writer
    /// needs nothing.
    var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// Kiosks read their requests' progress after the last event id they
    /// saw. With several writers, ids are taken in one order and committed
    /// in another: an event whose transaction is still open could appear
    /// later below an id a kiosk has already passed, and be skipped. So on
    /// PostgreSQL only events older than every open transaction are shown.
    var settledEventsCondition: String {
        switch self {
        case .sqlite: "1 = 1"
        case .postgres: "e.written_by < pg_snapshot_xmin(pg_current_snapshot())"
        }
    }
}

/// A write that found another process's row where it meant to put its own
/// (a unique key taken in the meantime): it was undone and may be tried
/// again, when it will see that row.
public struct SQLUniqueConflict: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
