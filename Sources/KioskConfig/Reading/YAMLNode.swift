import KioskDomain
import YAMLTree

/// A YAML node with the file it came from, reading typed values out of it and
/// logging a `file:line` problem for anything missing, mistyped or unknown.
///
/// Readers return nil after logging, so one pass finds every problem instead
/// of stopping at the first.
package struct YAMLNode {
    package let node: Node
    package let file: String
    package let log: ProblemLog

    package init(node: Node, file: String, log: ProblemLog) {
        self.node = node
        self.file = file
        self.log = log
    }

    package var line: Int { node.line }

    package func problem(_ message: String) {
        log.add(file, line, message)
    }

    /// A mapping whose keys must all be in `keys`; unknown keys are problems
    /// (a misspelt key would otherwise be silently ignored).
    package func mapping(_ what: String, keys: Set<String>) -> YAMLMapping? {
        guard case let .mapping(mapping) = node else {
            problem("\(what) must be a mapping")
            return nil
        }
        var values: [String: YAMLNode] = [:]
        for (key, value) in mapping {
            let keyNode = YAMLNode(node: key, file: file, log: log)
            guard let name = key.string else {
                keyNode.problem("\(what): keys must be text")
                continue
            }
            if !keys.contains(name) {
                keyNode.problem("\(what): unknown key '\(name)' (expected one of: \(keys.sorted().joined(separator: ", ")))")
                continue
            }
            values[name] = YAMLNode(node: value, file: file, log: log)
        }
        return YAMLMapping(owner: self, what: what, values: values)
    }

    /// A mapping whose keys are free (ids), in file order.
    package func entries(_ what: String) -> [(key: String, line: Int, value: YAMLNode)]? {
        guard case let .mapping(mapping) = node else {
            problem("\(what) must be a mapping")
            return nil
        }
        return mapping.compactMap { key, value in
            guard let name = key.string else { return nil }
            return (name, key.line, YAMLNode(node: value, file: file, log: log))
        }
    }

    package func sequence(_ what: String) -> [YAMLNode]? {
        guard case let .sequence(sequence) = node else {
            problem("\(what) must be a list")
            return nil
        }
        return sequence.map { YAMLNode(node: $0, file: file, log: log) }
    }

    package func string(_ what: String) -> String? {
        guard case let .scalar(scalar) = node, !scalar.string.isEmpty else {
            problem("\(what) must be non-empty text")
            return nil
        }
        if scalar.string.containsUnsafeScalars {
            problem("\(what) contains control characters")
            return nil
        }
        return scalar.string
    }

    package func int(_ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = node.int else {
            problem("\(what) must be a whole number")
            return nil
        }
        guard range.contains(value) else {
            problem("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    /// A number, whole or with a fraction, within `range`.
    package func number(_ what: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = node.double else {
            problem("\(what) must be a number")
            return nil
        }
        guard range.contains(value) else {
            problem("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    package func bool(_ what: String) -> Bool? {
        guard let value = node.bool else {
            problem("\(what) must be true or false")
            return nil
        }
        return value
    }

    /// A text in both languages: `{zh-Hans: …, en: …}`. Either one missing is
    /// a problem: a resident must never meet a blank or a fallback.
    package func localized(_ what: String) -> LocalizedText? {
        guard let map = mapping(what, keys: ["zh-Hans", "en"]) else { return nil }
        let chinese = map.required("zh-Hans", "\(what) in Simplified Chinese (zh-Hans)")?.string("\(what).zh-Hans")
        let english = map.required("en", "\(what) in English (en)")?.string("\(what).en")
        guard let chinese, let english else { return nil }
        return LocalizedText(chinese: chinese, english: english)
    }

    /// An id: lower-case letters, digits and hyphens, starting with a letter.
    package func identifier(_ what: String) -> String? {
        guard let text = string(what) else { return nil }
        guard Self.isIdentifier(text) else {
            problem("\(what) '\(text)' must be lower-case letters, digits and '-', starting with a letter")
            return nil
        }
        return text
    }

    package static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.utf8.count <= 40 else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// The known keys of one mapping.
package struct YAMLMapping {
    package let owner: YAMLNode
    package let what: String
    package let values: [String: YAMLNode]

    package func optional(_ key: String) -> YAMLNode? { values[key] }

    package func required(_ key: String, _ description: String? = nil) -> YAMLNode? {
        if let value = values[key] { return value }
        owner.problem("\(what): missing \(description ?? "'\(key)'")")
        return nil
    }
}

/// Duplicate ids within one list, each reported where it repeats.
package struct UniqueIDs {
    private var seen: [String: Int] = [:]
    package let what: String

    package init(_ what: String) {
        self.what = what
    }

    package mutating func insert(_ id: String, at node: YAMLNode) {
        if let first = seen[id] {
            node.problem("duplicate \(what) id '\(id)' (first at line \(first))")
        } else {
            seen[id] = node.line
        }
    }
}
