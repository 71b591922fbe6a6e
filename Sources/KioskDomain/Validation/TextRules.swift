/// Limits for free text a resident types: characters (what the screen shows)
/// and UTF-8 bytes (what the database and the wire carry).
public struct TextRule: Sendable, Hashable {
    public var maxCharacters: Int
    public var maxBytes: Int
    public var required: Bool

    public init(maxCharacters: Int, maxBytes: Int? = nil, required: Bool) {
        self.maxCharacters = maxCharacters
        self.maxBytes = maxBytes ?? maxCharacters * 4
        self.required = required
    }

    public static let name = TextRule(maxCharacters: 30, required: true)
    public static let addressDetail = TextRule(maxCharacters: 100, required: false)
    public static let description = TextRule(maxCharacters: 500, required: false)

    /// Trims surrounding white space and checks the rule; returns the text to store.
    public func check(_ raw: String, field: Field) throws(ValidationError) -> String {
        let text = raw.trimmingWhitespace()
        if text.isEmpty {
            if required { throw ValidationError(field, .required) }
            return text
        }
        if text.containsUnsafeScalars { throw ValidationError(field, .controlCharacters) }
        if text.count > maxCharacters { throw ValidationError(field, .tooLong(maxCharacters: maxCharacters)) }
        if text.utf8.count > maxBytes { throw ValidationError(field, .tooManyBytes(maxBytes: maxBytes)) }
        return text
    }
}

extension Unicode.Scalar {
    /// Scalars that must never reach a screen, a PDF, a log or the centre:
    /// C0 and C1 controls (ESC among them), DEL, bidirectional overrides that
    /// reorder what staff read, and line or paragraph separators.
    public var isUnsafeInText: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        case 0x2028, 0x2029: true
        case 0xFFF9...0xFFFB: true
        default: false
        }
    }
}

extension String {
    public var containsUnsafeScalars: Bool {
        unicodeScalars.contains { $0.isUnsafeInText }
    }

    /// The string without scalars unsafe in text; used where input is cleaned
    /// rather than refused (pasted text in the front).
    public var removingUnsafeScalars: String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unicodeScalars.lazy.filter { !$0.isUnsafeInText })
        return String(scalars)
    }

    /// Text from elsewhere (the centre's answers, a printer's messages) made
    /// fit for a terminal or a log: each unsafe scalar shown as U+FFFD, at
    /// most `limit` characters.
    public func sanitizedForDisplay(limit: Int = 500) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unicodeScalars.lazy.map { $0.isUnsafeInText ? "\u{FFFD}" : $0 })
        let text = String(scalars)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
