import Foundation

/// What every `--json` prints: valid JSON alone on standard output, keys in
/// snake_case and sorted, times in ISO 8601, and `null` for a field that has
/// no value (never a missing key), so a script reads every command the same way.
enum JSONOutput {
    static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static func string<Value: Encodable>(_ value: Value, pretty: Bool = false) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(value), as: UTF8.self)
    }

    static func print<Value: Encodable>(_ value: Value) throws {
        Swift.print(try string(value))
    }
}

/// An optional field that `--json` writes as `null` when unset. (Synthesized
/// encoding leaves a nil optional's key out, which a script reads as a
/// different answer from "no value".)
@propertyWrapper
public struct NullWhenUnset<Value: Encodable & Sendable & Equatable>: Encodable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
