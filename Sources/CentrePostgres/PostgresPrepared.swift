import CentreStore
import Foundation
import PostgresNIO
import Synchronization

/// Every statement the store runs on PostgreSQL is prepared once on each
/// connection and only bound and executed after: parsing and planning
/// were most of the server's work a request (docs/district-scale.md).
///
/// postgres-nio prepares a statement per Swift type (`PostgresPreparedStatement`
/// has a static name and SQL, and each connection parses a name once). The
/// store's statements are strings, so two types stand for all of them and
/// read which statement they are from a task-local value set around each
/// call. A statement's name is made from its text and the types of its
/// values (a NULL lets the server infer its type), so one name always means
/// the same parse.
enum PreparedText {
    struct Statement: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
    }

    @TaskLocal static var current = Statement(name: "", sql: "", types: [])

    private struct Key: Hashable {
        var sql: String
        var types: [UInt32]
        var counting: Bool
    }

    private static let names = Mutex<[Key: Statement]>([:])

    /// The statement for `sql` (written with `?`) bound to values of `types`.
    /// `counting`: a change whose rows changed are counted, as `RETURNING 1`
    /// rows (postgres-nio's prepared form gives no command tag when the
    /// statement fails, and stops the process instead of throwing).
    static func statement(_ sql: String, types: [PostgresDataType], counting: Bool = false) -> Statement {
        let key = Key(sql: sql, types: types.map(\.rawValue), counting: counting)
        return names.withLock { names in
            if let known = names[key] { return known }
            var text = SQLPlaceholders.numbered(sql)
            if counting {
                while let last = text.last, last.isWhitespace || last == ";" { text.removeLast() }
                text += " RETURNING 1"
            }
            let statement = Statement(name: "centre_\(names.count + 1)", sql: text, types: types)
            names[key] = statement
            return statement
        }
    }

    /// Transaction control, savepoints and the schema's own statements run
    /// as they are; queries and changes are prepared.
    static func isPreparable(_ sql: String) -> Bool {
        let start = sql.drop(while: { $0.isWhitespace }).prefix(6).uppercased()
        return ["SELECT", "INSERT", "UPDATE", "DELETE"].contains(start) || start.hasPrefix("WITH")
    }

    /// A change counted by the rows it returns: one that returns none of its own.
    static func isPreparableChange(_ sql: String) -> Bool {
        let start = sql.drop(while: { $0.isWhitespace }).prefix(6).uppercased()
        return ["INSERT", "UPDATE", "DELETE"].contains(start) && sql.range(of: "RETURNING", options: .caseInsensitive) == nil
    }
}

/// A prepared statement that returns rows.
struct PreparedFetch: PostgresPreparedStatement {
    typealias Row = SQLRow
    static var name: String { PreparedText.current.name }
    static var sql: String { PreparedText.current.sql }
    static var bindingDataTypes: [PostgresDataType] { PreparedText.current.types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> SQLRow { try PostgresSQLConnection.row(row) }
}
