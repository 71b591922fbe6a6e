import CentreConfig
import CentreOperations
import CentreStore
import CentreWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import KioskDomain
import Logging
import NIOCore

extension ConsoleController {
    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: Self.pageHeaders, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let pageHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        // Pages hold personal data: never kept by the browser or a proxy.
        .cacheControl: "no-store",
        .contentSecurityPolicy: "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// A page with one message (forbidden, not found, a refused form).
    func message(_ visit: Visit, status: HTTPResponse.Status, title: String, detail: String? = nil) -> Response {
        let data = frame(visit, title: title)
        data["detail"] = detail
        return html(views.render("message", data), status: status)
    }

    /// What every signed-in page's frame needs. A refused ticket is shown in
    /// its message, not left in the field: the next scan must start empty.
    func frame(_ visit: Visit, title: String, ticket: String = "", ticketError: String? = nil) -> TemplateValues {
        let role = visit.staff.role
        let path = visit.request.uri.path
        return TemplateValues([
            "t": ConsoleTexts.forTemplates(visit.language), "lang": visit.language.rawValue, "title": title,
            "csrf": visit.staff.csrf,
            "staffName": visit.staff.username, "role": role.rawValue,
            "canCases": role.handlesCases, "canReports": role.readsReports, "canAudit": role.readsAudit,
            "canFleet": role.readsFleet, "canReferrals": role.answersReferrals, "navPartner": path.hasPrefix("/partner"),
            "navInbox": path.hasPrefix("/inbox") || path.hasPrefix("/cases"), "navReports": path.hasPrefix("/reports"),
            "navAudit": path.hasPrefix("/audit"), "navFleet": path.hasPrefix("/fleet"),
            "ticket": ticket, "ticketError": ticketError,
            "languageLink": languageLink(visit.language, back: visit.request.uri.description),
        ])
    }

    func languageLink(_ language: Language, back: String) -> String {
        "/language?to=\(language == .english ? "zh-Hans" : "en")&back=" + Self.percentEncoded(back)
    }

    func cookie(_ name: String, _ value: String, request: Request, path: String = "/", maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=\(path); HttpOnly; SameSite=Strict"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if tls || config.console.secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" {
            text += "; Secure"
        }
        return text
    }

    // MARK: Small helpers

    static func language(of request: Request) -> Language {
        request.cookies[languageCookie]?.value == "en" ? .english : .chinese
    }

    /// Only a path on this site (no scheme, no host, no `//`): the target
    /// of a redirect after sign-in or a language switch.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return nil }
        return text
    }

    static func parseForm(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// A time of day, a date, or both, in the centre's time zone.
    func clock(_ date: Date) -> String { LocalTime(date, config.timeZone).clock }
    func day(_ date: Date) -> String { LocalTime(date, config.timeZone).day }
    func dateTime(_ date: Date) -> String {
        let local = LocalTime(date, config.timeZone)
        return local.day + " " + local.clock
    }

    /// "3 d", "5 h", "12 min" (or their Chinese forms).
    func span(_ seconds: Double, _ texts: [String: String]) -> String {
        let minutes = WireNumbers.int(saturating: max(0, seconds) / 60)
        if minutes >= 48 * 60 { return texts.format("days", String(minutes / 1440)) }
        if minutes >= 60 { return texts.format("hours", String(minutes / 60)) }
        return texts.format("minutes", String(minutes))
    }
}
