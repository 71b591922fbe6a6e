import Foundation

/// A value as it crosses to or from the centre's database, whichever engine
/// holds it: SQLite's five storage classes, which PostgreSQL's column types
/// used here (bigint, text, bytea, boolean) map onto.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value that can be bound to a statement's `?`.
public protocol SQLArgument: Sendable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLArgument { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLArgument { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLArgument { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Double: SQLArgument { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLArgument { public var sqlValue: SQLValue { .text(self) } }
extension Data: SQLArgument { public var sqlValue: SQLValue { .blob(self) } }
extension SQLValue: SQLArgument { public var sqlValue: SQLValue { self } }
extension Optional: SQLArgument where Wrapped: SQLArgument {
    public var sqlValue: SQLValue { map(\.sqlValue) ?? .null }
}

/// A Swift value a column can be read as. A mismatch is a programming error
/// (a query and its reader disagree), so it stops the process, as GRDB does.
public protocol SQLColumnValue {
    init?(sqlValue: SQLValue)
}

extension Int64: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case let .integer(value): self = value
        case let .real(value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        default: return nil
        }
    }
}

extension Int: SQLColumnValue {
    public init?(sqlValue: SQLValue) { guard let value = Int64(sqlValue: sqlValue) else { return nil }; self = Int(value) }
}

extension Bool: SQLColumnValue {
    public init?(sqlValue: SQLValue) { guard let value = Int64(sqlValue: sqlValue) else { return nil }; self = value != 0 }
}

extension Double: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case let .real(value): self = value
        case let .integer(value): self = Double(value)
        default: return nil
        }
    }
}

extension String: SQLColumnValue {
    public init?(sqlValue: SQLValue) { guard case let .text(value) = sqlValue else { return nil }; self = value }
}

extension Data: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        guard case let .blob(value) = sqlValue else { return nil }
        self = value
    }
}

extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        if sqlValue == .null { self = .none; return }
        guard let value = Wrapped(sqlValue: sqlValue) else { return nil }
        self = .some(value)
    }
}

/// One row of a result, read by column name. Where two columns share a
/// name (`SELECT s.*, c.*`), the leftmost answers.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript<Value: SQLColumnValue>(_ column: String) -> Value {
        guard let index = columns.firstIndex(of: column) else {
            preconditionFailure("no column \(column) in the result (\(columns.joined(separator: ", ")))")
        }
        return self[index]
    }

    public subscript<Value: SQLColumnValue>(_ index: Int) -> Value {
        guard let value = Value(sqlValue: values[index]) else {
            preconditionFailure("column \(columns[index]) holds \(values[index].kind), not \(Value.self)")
        }
        return value
    }
}

extension SQLValue {
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "an integer"
        case .real: "a real"
        case .text: "text"
        case .blob: "a blob"
        }
    }
}
