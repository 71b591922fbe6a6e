/// A YAML document as a tree of nodes, each with the line it starts on, so a
/// configuration problem can be reported as `file:line`. Scalars keep their
/// text; whether one is a number or a boolean is asked of it (`int`, `bool`,
/// `double`), as YAML 1.1 resolves plain scalars: a quoted `"10"` is text.
public enum Node: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    public struct Scalar: Sendable {
        public let string: String
        /// Written without quotes or block style: the only kind YAML resolves
        /// to numbers and booleans.
        public let plain: Bool
        public let line: Int
    }

    /// Key–value pairs in file order (keys are unique: the composer refuses a
    /// repeated one).
    public struct Mapping: Sendable, Swift.Sequence {
        public let pairs: [(key: Node, value: Node)]
        public let line: Int

        public func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }
    }

    public struct Sequence: Sendable, Swift.Sequence {
        public let nodes: [Node]
        public let line: Int

        public func makeIterator() -> IndexingIterator<[Node]> { nodes.makeIterator() }
    }

    /// 1-based, as an editor shows it.
    public var line: Int {
        switch self {
        case let .scalar(scalar): scalar.line
        case let .mapping(mapping): mapping.line
        case let .sequence(sequence): sequence.line
        }
    }

    /// A scalar's text, whatever it resolves to; nil for a mapping or list.
    public var string: String? {
        guard case let .scalar(scalar) = self else { return nil }
        return scalar.string
    }

    /// A plain scalar that is a decimal whole number (`_` allowed as a separator).
    public var int: Int? {
        guard case let .scalar(scalar) = self, scalar.plain else { return nil }
        let digits = String(scalar.string.filter { $0 != "_" })
        guard !digits.isEmpty, digits != "+", digits != "-" else { return nil }
        return Int(digits.hasPrefix("+") ? String(digits.dropFirst()) : digits)
    }

    /// A plain scalar that is a number: whole or with a fraction.
    public var double: Double? {
        guard case let .scalar(scalar) = self, scalar.plain else { return nil }
        let text = String(scalar.string.filter { $0 != "_" })
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// A plain true/yes/on or false/no/off, in any case (YAML 1.1).
    public var bool: Bool? {
        guard case let .scalar(scalar) = self, scalar.plain else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
}

/// Why a text is not a YAML document, and where.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String

    public var description: String { "line \(line): \(message)" }
}
