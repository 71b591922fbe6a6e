/// The inbox table's rows as HTML, written here rather than in
/// `inbox.mustache`: Mustache looks each name up by casting and walking its
/// context (about 150 µs a row, most of a 50-row page); this costs a few µs
/// a row. Every value is escaped; the markup matches the template's header.
struct InboxRowsHTML {
    struct Row {
        var reference: String
        var receipt: String
        var level: String
        var levelName: String
        var reasons: String
        var programme: String
        var service: String
        var street: String
        var age: String
        var deadline: String
        var overdueText: String?
        var assignee: String
        var state: String
    }

    static func html(_ rows: [Row]) -> String {
        var out = ""
        out.reserveCapacity(rows.count * 700)
        for row in rows {
            let level = HTML.escape(row.level)
            out += "<tr class=\"level-\(level)\(row.overdueText == nil ? "" : " is-overdue")\">\n"
            out += "<td><a href=\"/cases/\(HTML.escape(row.reference))\" class=\"receipt\">\(HTML.escape(row.receipt))</a></td>\n"
            out += "<td><span class=\"badge level-\(level)\">\(HTML.escape(row.levelName))</span></td>\n"
            out += "<td class=\"reasons\">\(HTML.escape(row.reasons))</td>\n"
            out += "<td>\(HTML.escape(row.programme))<br><span class=\"secondary\">\(HTML.escape(row.service))</span></td>\n"
            out += "<td>\(HTML.escape(row.street))</td>\n<td>\(HTML.escape(row.age))</td>\n<td>\(HTML.escape(row.deadline))"
            if let overdue = row.overdueText { out += "<br><strong class=\"badge overdue\">⚠ \(HTML.escape(overdue))</strong>" }
            out += "</td>\n<td>\(HTML.escape(row.assignee))</td>\n<td>\(HTML.escape(row.state))</td>\n</tr>\n"
        }
        return out
    }
}

/// Text made safe for HTML element content and quoted attributes, for the
/// few places that write markup themselves (inbox rows, the report's chart).
enum HTML {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
