import CentreConfig
import CentreStore
import Foundation
import KioskDomain

/// A month's report as labelled lines, for the page, the CSV and the
/// command line alike.
public struct ReportLines: Sendable {
    public struct Line: Sendable, Equatable {
        /// Which part of the report, in the chosen language.
        public var section: String
        public var item: String
        public var count: Int
        public var detail: String
    }

    public var lines: [Line]
    /// The names of the one-line total and of the per-day lines (the chart's data).
    public let totalSection: String
    public let dailySection: String

    public init(_ report: MonthReport, config: CenterConfiguration, language: Language) {
        let english = language == .english
        func level(_ key: String) -> String {
            ConsoleTexts.table(language)["level_\(key)"] ?? key
        }
        var lines: [Line] = []
        let section = { (zh: String, en: String) in english ? en : zh }
        // Kept apart from the other sections, which the page shows as tables.
        dailySection = section("每日", "Daily")
        totalSection = section("合计", "Total")
        lines.append(Line(section: totalSection, item: report.month, count: report.total, detail: ""))
        for entry in report.byLevel {
            lines.append(Line(section: section("困难等级", "Hardship"), item: level(entry.key), count: entry.count, detail: ""))
        }
        for entry in report.byProgramme {
            lines.append(Line(section: section("项目", "Programme"), item: config.catalog.programme(entry.key)?.name[language] ?? entry.key,
                              count: entry.count, detail: ""))
        }
        for entry in report.byService {
            let parts = entry.key.split(separator: "/").map(String.init)
            let name = parts.count == 2 ? config.catalog.service(parts[1], in: parts[0])?.name[language] : nil
            lines.append(Line(section: section("服务", "Service"), item: name ?? entry.key, count: entry.count, detail: ""))
        }
        for entry in report.byStreet {
            lines.append(Line(section: section("街道", "Street"), item: config.streetName(entry.key, language),
                              count: entry.count, detail: ""))
        }
        for entry in report.firstContact {
            let median = entry.medianSeconds.map { String(format: "%.0f", $0 / 60) } ?? "-"
            let share = entry.due > 0 ? String(format: "%.0f%%", Double(entry.withinDeadline) * 100 / Double(entry.due)) : "-"
            let detail = english
                ? "contacted \(entry.contacted); median \(median) min; within deadline \(entry.withinDeadline)/\(entry.due) (\(share))"
                : "已联系 \(entry.contacted)；中位等待 \(median) 分钟；按期 \(entry.withinDeadline)/\(entry.due)（\(share)）"
            lines.append(Line(section: section("首次联系", "First contact"), item: level(entry.level.rawValue),
                              count: entry.requests, detail: detail))
        }
        for entry in report.outcomes {
            lines.append(Line(section: section("结案结果", "Outcome"),
                              item: ConsoleTexts.table(language)["outcome_\(entry.key)"] ?? entry.key,
                              count: entry.count, detail: ""))
        }
        lines.append(Line(section: section("结案结果", "Outcome"), item: section("仍在处理", "Still open"),
                          count: report.open, detail: ""))
        lines += Self.referralLines(report.referrals, config: config, language: language)
        lines += Self.homeVisitLines(report.homeVisits, config: config, language: language)
        lines += Self.messageLines(report.messages, language: language)
        for day in report.days {
            lines.append(Line(section: dailySection, item: day.date, count: day.total,
                              detail: "\(level("red")) \(day.red) / \(level("yellow")) \(day.yellow) / \(level("green")) \(day.green)"))
        }
        self.lines = lines
    }

    /// UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese
    /// right; fields that a spreadsheet would run as a formula are quoted.
    public func csv(language: Language) -> Data {
        let header = language == .english ? "section,item,count,detail" : "分类,项目,数量,说明"
        var text = "\u{FEFF}" + header + "\r\n"
        for line in lines {
            text += [line.section, line.item, String(line.count), line.detail].map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return Data(text.utf8)
    }

    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The daily requests of a month as stacked bars, drawn on the server as
/// SVG: red at the bottom, then yellow, then green, each with a pattern as
/// well as a colour, and a text alternative.
public enum DailyChart {
    public static func svg(_ days: [MonthReport.Day], title: String) -> String {
        let width = 720.0, height = 220.0, left = 36.0, bottom = 28.0, top = 12.0
        let peak = max(1, days.map(\.total).max() ?? 1)
        let step = (width - left - 8) / Double(max(1, days.count))
        let scale = (height - bottom - top) / Double(peak)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="\(HTML.escape(title))" class="chart"><title>\(HTML.escape(title))</title>
            <defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
            <rect width="6" height="6" fill="#f2c200"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a6d00" stroke-width="2"/>\
            </pattern><pattern id="dots" width="6" height="6" patternUnits="userSpaceOnUse">\
            <rect width="6" height="6" fill="#2e8540"/><circle cx="3" cy="3" r="1.2" fill="#c8e6c9"/></pattern></defs>

            """
        for tick in [0, peak / 2, peak] {
            let y = height - bottom - Double(tick) * scale
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 8)\" y2=\"\(y)\" stroke=\"#bbb\" stroke-width=\"0.5\"/>"
            svg += "<text x=\"\(left - 4)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"10\">\(tick)</text>\n"
        }
        for (index, day) in days.enumerated() {
            let x = left + Double(index) * step + 1
            var y = height - bottom
            for (count, fill) in [(day.red, "#b10e1e"), (day.yellow, "url(#hatch)"), (day.green, "url(#dots)")] where count > 0 {
                let h = Double(count) * scale
                y -= h
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(max(1, step - 2))\" height=\"\(h)\" fill=\"\(fill)\">"
                svg += "<title>\(HTML.escape(day.date)): \(count)</title></rect>"
            }
            if index % 5 == 0 {
                svg += "<text x=\"\(x + step / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\" font-size=\"10\">"
                svg += "\(HTML.escape(String(day.date.suffix(5))))</text>\n"
            }
        }
        return svg + "</svg>"
    }
}
