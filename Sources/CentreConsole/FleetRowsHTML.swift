/// The fleet table's rows as HTML, written here rather than in
/// `fleet.mustache`, as the inbox's are (`InboxRowsHTML`): a district's 150
/// rows through Mustache cost about 10 ms a page. Every value is escaped;
/// the markup matches the template's header.
struct FleetRowsHTML {
    struct Row {
        var code: String
        var health: String
        var word: String
        var street: String
        var place: String
        var problems: [(code: String, text: String)]
        var since: String?
        var duration: String?
        var version: String
    }

    static func html(_ rows: [Row]) -> String {
        var out = ""
        out.reserveCapacity(rows.count * 600)
        for row in rows {
            let code = HTML.escape(row.code), health = HTML.escape(row.health)
            out += "<tr class=\"health-\(health)\" data-kiosk=\"\(code)\" data-health=\"\(health)\">\n"
            out += "<td><span class=\"health-badge health-\(health)\"><span class=\"health-mark\" aria-hidden=\"true\"></span>"
            out += "\(HTML.escape(row.word))</span></td>\n"
            out += "<td><a href=\"/fleet/\(code)\" class=\"mono\">\(code)</a></td><td>\(HTML.escape(row.street))</td>"
            out += "<td>\(HTML.escape(row.place))</td>\n<td>"
            if row.problems.isEmpty { out += "—" }
            for problem in row.problems {
                out += "<span class=\"problem\" data-problem=\"\(HTML.escape(problem.code))\">\(HTML.escape(problem.text))</span>"
            }
            out += "</td>\n<td>"
            if let since = row.since {
                out += HTML.escape(since)
                if let duration = row.duration { out += " <span class=\"secondary\">(\(HTML.escape(duration)))</span>" }
            }
            out += "</td>\n<td class=\"mono\">\(HTML.escape(row.version))</td></tr>\n"
        }
        return out
    }
}
