/// The store's SQL is written once, with `?` for each value; PostgreSQL
/// numbers its parameters (`$1`, `$2`, …). This turns the one into the other,
/// reading the statement as PostgreSQL's lexer does: a `?` inside a string
/// (`'…'`, with `''`; `E'…'`, with backslash escapes), a quoted identifier
/// (`"…"`, with `""`), a dollar-quoted body (`$$…$$`, `$tag$…$tag$`), a line
/// comment (`-- …`) or a block comment (`/* … */`, nested) is text, not a
/// parameter. Miscounting one would shift every later value into the wrong column.
package enum SQLPlaceholders {
    package static func numbered(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var number = 0, index = 0
        func copy(through end: Int) {
            out.append(contentsOf: bytes[index..<min(end, bytes.count)])
            index = min(end, bytes.count)
        }
        while index < bytes.count {
            let byte = bytes[index]
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            switch byte {
            case UInt8(ascii: "?"):
                number += 1
                out.append(contentsOf: Array("$\(number)".utf8))
                index += 1
            case UInt8(ascii: "'"):
                let escapes = index > 0 && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                    && (index < 2 || !isIdentifier(bytes[index - 2]))
                copy(through: endOfQuoted(bytes, from: index, quote: UInt8(ascii: "'"), backslashEscapes: escapes))
            case UInt8(ascii: "\""):
                copy(through: endOfQuoted(bytes, from: index, quote: UInt8(ascii: "\""), backslashEscapes: false))
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                copy(through: (bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count - 1) + 1)
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                copy(through: endOfBlockComment(bytes, from: index))
            case UInt8(ascii: "$") where (index == 0 || !isIdentifier(bytes[index - 1])):
                if let tagEnd = dollarTagEnd(bytes, from: index) {
                    let tag = Array(bytes[index...tagEnd])
                    copy(through: endOfDollarQuoted(bytes, bodyFrom: tagEnd + 1, tag: tag))
                } else {
                    copy(through: index + 1)
                }
            default:
                copy(through: index + 1)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isIdentifier(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// Past the closing quote of the text opened at `start`; a doubled quote (or, with escapes, `\` and any byte) stays inside.
    static func endOfQuoted(_ bytes: [UInt8], from start: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var index = start + 1
        while index < bytes.count {
            if backslashEscapes, bytes[index] == UInt8(ascii: "\\") {
                index += 2
            } else if bytes[index] == quote {
                if index + 1 < bytes.count, bytes[index + 1] == quote { index += 2 } else { return index + 1 }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// Past the `*/` that closes the comment opened at `start`, counting nested ones.
    static func endOfBlockComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0, index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// The index of the `$` closing a dollar-quote tag opened at `start` (`$$`, `$tag$`); nil when none opens there (`$1`).
    static func dollarTagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        if index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { return nil }
        while index < bytes.count, isIdentifier(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: "$") ? index : nil
    }

    /// Past the closing `tag` of the body that starts at `bodyFrom`.
    static func endOfDollarQuoted(_ bytes: [UInt8], bodyFrom start: Int, tag: [UInt8]) -> Int {
        var index = start
        while index + tag.count <= bytes.count {
            if bytes[index] == tag[0], Array(bytes[index..<index + tag.count]) == tag { return index + tag.count }
            index += 1
        }
        return bytes.count
    }
}
