import CentreStore
import Foundation
import Hummingbird
import KioskDomain

/// The supervisor's monthly report and the auditor's access log.
extension ConsoleController {
    /// Whose cases a report counts, or whose kiosks the fleet page shows: a
    /// street's staff, their street's; the district's, the street chosen
    /// (`?street=`) or every street.
    func chosenStreet(_ visit: Visit) -> String? {
        if let own = visit.staff.street { return own }
        return visit.query("street").flatMap { config.street($0)?.code }
    }

    /// The street picker of a district account (none for a street's staff).
    func streetChoice(_ visit: Visit, chosen street: String?) -> TemplateValues? {
        guard visit.staff.street == nil else { return nil }
        let district = TemplateValues(["value": "", "name": visit.texts[.wholeDistrict], "selected": street == nil])
        return TemplateValues(["options": [district] + config.streets.map {
            TemplateValues(["value": $0.code, "name": $0.name[visit.language], "selected": $0.code == street])
        }])
    }

    func reportsPage(_ visit: Visit) async throws -> Response {
        let texts = visit.texts
        let month = visit.query("month") ?? String(day(visit.now).prefix(7))
        let street = chosenStreet(visit)
        let report: MonthReport
        do { report = try await store.report(month: month, street: street, now: visit.now) } catch let error as CenterError {
            return message(visit, status: .badRequest, title: texts[.problem], detail: error.description)
        }
        let reportLines = ReportLines(report, config: config, language: visit.language)
        let tables = reportLines.lines.filter { $0.section != reportLines.totalSection && $0.section != reportLines.dailySection }
        let order = tables.map(\.section).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let data = frame(visit, title: texts[.reportsTitle])
        data["month"] = month
        let scopeName = street.map { config.streetName($0, visit.language) } ?? texts[.wholeDistrict]
        data["scope"] = scopeName
        data["streetChoice"] = streetChoice(visit, chosen: street)
        data["total"] = report.total
        data["sections"] = order.map { name in
            TemplateValues(["name": name, "lines": tables.filter { $0.section == name }.map {
                TemplateValues(["item": $0.item, "count": $0.count, "detail": $0.detail])
            }])
        }
        data["chart"] = DailyChart.svg(report.days, title: texts.format("chart_alt", month))
        data["csvLink"] = "/reports.csv?month=\(month)" + (street.map { "&street=\($0)" } ?? "")
        return html(views.render("reports", data))
    }

    func reportCSV(_ visit: Visit) async throws -> Response {
        let month = visit.query("month") ?? String(day(visit.now).prefix(7))
        let street = chosenStreet(visit)
        let report: MonthReport
        do { report = try await store.report(month: month, street: street, now: visit.now) } catch let error as CenterError {
            return message(visit, status: .badRequest, title: visit.texts[.problem], detail: error.description)
        }
        try await store.audit(actor: visit.staff.username, action: "export_report",
                        detail: month + (street.map { " \($0)" } ?? ""), now: visit.now)
        let data = ReportLines(report, config: config, language: visit.language).csv(language: visit.language)
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
            .contentDisposition: "attachment; filename=\"kiosk-report-\(month)\(street.map { "-\($0)" } ?? "").csv\"",
        ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func auditPage(_ visit: Visit) async throws -> Response {
        let texts = visit.texts
        let sinceText = visit.query("since")
        let since = sinceText.flatMap(config.startOfDay)
        let entries = try await store.auditEntries(since: since, limit: 500, street: visit.staff.street)
        try await store.audit(actor: visit.staff.username, action: "read_audit", detail: sinceText, now: visit.now)
        let data = frame(visit, title: texts[.auditTitle])
        data["since"] = sinceText ?? ""
        data["count"] = texts.format("entries", String(entries.count))
        data["entries"] = entries.map { entry in
            TemplateValues(["at": dateTime(entry.at), "actor": entry.actor, "code": entry.action,
                            "action": texts["log_\(entry.action)"] ?? entry.action,
                            "case": entry.caseReference ?? "", "detail": entry.detail ?? ""])
        }
        return html(views.render("audit", data))
    }
}
