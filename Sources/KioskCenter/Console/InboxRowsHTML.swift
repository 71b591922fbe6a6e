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
            let level = escape(row.level)
            out += "<tr class=\"level-\(level)\(row.overdueText == nil ? "" : " is-overdue")\">\n"
            out += "<td><a href=\"/cases/\(escape(row.reference))\" class=\"receipt\">\(escape(row.receipt))</a></td>\n"
            out += "<td><span class=\"badge level-\(level)\">\(escape(row.levelName))</span></td>\n"
            out += "<td class=\"reasons\">\(escape(row.reasons))</td>\n"
            out += "<td>\(escape(row.programme))<br><span class=\"secondary\">\(escape(row.service))</span></td>\n"
            out += "<td>\(escape(row.street))</td>\n<td>\(escape(row.age))</td>\n<td>\(escape(row.deadline))"
            if let overdue = row.overdueText { out += "<br><strong class=\"badge overdue\">⚠ \(escape(overdue))</strong>" }
            out += "</td>\n<td>\(escape(row.assignee))</td>\n<td>\(escape(row.state))</td>\n</tr>\n"
        }
        return out
    }

    /// HTML-escapes text for element content and quoted attributes.
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
