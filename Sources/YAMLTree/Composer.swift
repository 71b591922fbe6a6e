import CYAML

/// Reads YAML with the system's libyaml (its parser's events) into a `Node`
/// tree. libyaml is the Debian package's, linked, never a copy of its own.
public enum YAML {
    /// Deepest nesting of lists and mappings a file may have (the shipped ones use 6).
    public static let maxDepth = 64
    /// The first document of `text`; nil when it holds none. A repeated key
    /// in a mapping is an error, and so is an alias (`*name`): none of the
    /// project's files needs one, and aliases of aliases make a small file
    /// expand into billions of nodes for whatever walks it. Nesting deeper
    /// than `maxDepth` is an error too, before it can exhaust the stack.
    public static func compose(_ text: String) throws(YAMLError) -> Node? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(line: 1, message: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> Node? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var composer = Composer(parser: &parser)
            return try composer.document()
        }
    }
}

/// Builds nodes from the parser's events, one event at a time.
private struct Composer {
    let parser: UnsafeMutablePointer<yaml_parser_t>

    init(parser: UnsafeMutablePointer<yaml_parser_t>) {
        self.parser = parser
    }

    /// One event; the caller reads what it needs before the next.
    struct Event {
        var type: yaml_event_type_t
        var line: Int
        var anchor: String?
        var value: String
        var plain: Bool
    }

    mutating func next() throws(YAMLError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "cannot parse"
            let context = parser.pointee.context.map { String(cString: $0) + ": " } ?? ""
            // Where the broken construct began (the context's mark), not where the
            // parser noticed (often the line after the bad one).
            let mark = parser.pointee.context == nil ? parser.pointee.problem_mark : parser.pointee.context_mark
            throw YAMLError(line: Int(mark.line) + 1, message: "YAML syntax: \(context)\(problem)")
        }
        defer { yaml_event_delete(&event) }
        var result = Event(type: event.type, line: Int(event.start_mark.line) + 1, anchor: nil, value: "", plain: false)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            result.anchor = scalar.anchor.map { String(cString: $0) }
            result.value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            result.plain = scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.tag == nil
        case YAML_ALIAS_EVENT:
            result.anchor = event.data.alias.anchor.map { String(cString: $0) }
        case YAML_MAPPING_START_EVENT:
            result.anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
        case YAML_SEQUENCE_START_EVENT:
            result.anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
        default:
            break
        }
        return result
    }

    mutating func document() throws(YAMLError) -> Node? {
        var event = try next()
        if event.type == YAML_STREAM_START_EVENT { event = try next() }
        guard event.type == YAML_DOCUMENT_START_EVENT else { return nil }  // an empty stream
        let root = try node(try next(), depth: 0)
        let end = try next()
        guard end.type == YAML_DOCUMENT_END_EVENT else {
            throw YAMLError(line: end.line, message: "YAML: expected the end of the document")
        }
        let after = try next()
        if after.type == YAML_DOCUMENT_START_EVENT {
            throw YAMLError(line: after.line, message: "YAML: one document expected, found another")
        }
        return root
    }

    mutating func node(_ event: Event, depth: Int) throws(YAMLError) -> Node {
        let built: Node
        if depth > YAML.maxDepth {
            throw YAMLError(line: event.line, message: "YAML: nested deeper than \(YAML.maxDepth) levels")
        }
        switch event.type {
        case YAML_SCALAR_EVENT:
            built = .scalar(Node.Scalar(string: event.value, plain: event.plain, line: event.line))
        case YAML_ALIAS_EVENT:
            throw YAMLError(line: event.line, message: "YAML: aliases ('*\(event.anchor ?? "")') are not allowed here; write the value out")
        case YAML_SEQUENCE_START_EVENT:
            var nodes: [Node] = []
            while true {
                let item = try next()
                if item.type == YAML_SEQUENCE_END_EVENT { break }
                nodes.append(try node(item, depth: depth + 1))
            }
            built = .sequence(Node.Sequence(nodes: nodes, line: event.line))
        case YAML_MAPPING_START_EVENT:
            var pairs: [(key: Node, value: Node)] = []
            var seen: Set<String> = []
            while true {
                let keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT { break }
                let key = try node(keyEvent, depth: depth + 1)
                if let text = key.string {
                    guard seen.insert(text).inserted else {
                        throw YAMLError(line: key.line, message: "duplicate key '\(text)'")
                    }
                }
                pairs.append((key, try node(try next(), depth: depth + 1)))
            }
            built = .mapping(Node.Mapping(pairs: pairs, line: event.line))
        default:
            throw YAMLError(line: event.line, message: "YAML: unexpected structure")
        }
        return built
    }
}
