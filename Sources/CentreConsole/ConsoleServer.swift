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

/// kiosk-center's staff console: server-rendered pages for advisers,
/// supervisors and auditors, on a listener of its own apart from the kiosks'
/// intake API.
///
/// Security: sessions live in the database (`CenterStore+Staff`), the
/// cookie is HttpOnly and SameSite=Strict (Secure behind TLS), every form
/// carries the session's CSRF token, and each role reaches only its pages.
/// Pages holding personal data are never cached and every look at them is
/// written to the access log. No JavaScript: it works on any browser.
public struct ConsoleServer: Sendable {
    public typealias Context = PeerRequestContext

    let store: CenterStore
    let config: CenterConfiguration
    let views: ConsoleViews
    let logger: Logger
    let signInGuard: SignInGuard
    let checker: PasswordChecker
    /// The listener speaks TLS itself (`--tls-certificate`): cookies are Secure.
    let tls: Bool
    /// What a Prometheus scrape of `/metrics` must present (lower-case hex), when set.
    let metricsToken: String?

    static let sessionCookie = "kc_session"
    static let signInCookie = "kc_signin"
    static let languageCookie = "kc_lang"
    static let maxFormBytes = 64 * 1024
    /// 423: the account is locked for now (WebDAV's code, fitting).
    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")

    public init(store: CenterStore, config: CenterConfiguration, views: ConsoleViews, logger: Logger,
                signInLimits: SignInGuard.Limits = .standard, checker: PasswordChecker = PasswordChecker(),
                tls: Bool = false, metricsToken: String? = nil) {
        self.store = store
        self.config = config
        self.views = views
        self.logger = logger
        signInGuard = SignInGuard(signInLimits)
        self.checker = checker
        self.tls = tls
        self.metricsToken = metricsToken
    }

    /// The console's routes, after any extra middleware (the benchmark times pages with one).
    public func router(middleware: [any MiddlewareProtocol<Request, Response, Context>] = []) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: ResponseMetricsMiddleware(listener: "console"))
        router.add(middleware: AllowedMethodsMiddleware(routes: [.init("health", [.get]), .init("metrics", [.get])]))
        router.add(middleware: DatabaseUnavailablePage(logger: logger))
        for item in middleware { router.add(middleware: item) }
        router.get("static/console.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: views.stylesheet)))
        }
        OperationsEndpoints.addHealth(to: router, store: store, logger: logger)
        OperationsEndpoints.addMetrics(to: router, store: store, logger: logger, token: metricsToken)
        router.get("login") { request, _ in signInPage(request) }
        router.post("login") { request, context in
            try await signIn(request, client: ClientAddress.key(
                peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor], trusted: config.trustedProxies))
        }
        router.get("language") { request, _ in switchLanguage(request) }
        router.post("logout", use: guarded(.anyone) { visit in try await signOut(visit) })
        router.get("", use: guarded(.anyone) { visit in
            let role = visit.staff.role
            return redirect(role.handlesCases ? "/inbox" : role.readsReports ? "/reports" : role.readsFleet ? "/fleet" : "/audit")
        })
        router.get("inbox", use: guarded(.caseworker) { visit in try await inboxPage(visit) })
        router.get("ticket", use: guarded(.caseworker) { visit in try await ticketLookup(visit) })
        router.get("cases/:reference", use: guarded(.caseworker) { visit in try await casePage(visit, look: .view) })
        router.post("cases/:reference/reveal-id", use: guarded(.caseworker) { visit in
            try await casePage(visit, look: .revealID)
        })
        router.post("cases/:reference/actions", use: guarded(.caseworker) { visit in try await caseAction(visit) })
        router.get("reports", use: guarded(.reports) { visit in try await reportsPage(visit) })
        router.get("reports.csv", use: guarded(.reports) { visit in try await reportCSV(visit) })
        router.get("audit", use: guarded(.audit) { visit in try await auditPage(visit) })
        router.get("fleet", use: guarded(.fleet) { visit in try await fleetPage(visit) })
        router.get("fleet/:code", use: guarded(.fleet) { visit in try await kioskPage(visit) })
        return router
    }

    // MARK: Who may come in

    enum Access {
        case anyone
        case caseworker
        case reports
        case audit
        case fleet

        func admits(_ role: StaffRole) -> Bool {
            switch self {
            case .anyone: true
            case .caseworker: role.handlesCases
            case .reports: role.readsReports
            case .audit: role.readsAudit
            case .fleet: role.readsFleet
            }
        }
    }

    /// One request of a signed-in member of staff.
    struct Visit {
        var request: Request
        var context: Context
        var staff: StaffSession
        var language: Language
        var texts: [String: String]
        /// A posted form, already checked for its CSRF token.
        var form: [String: String]
        var now: Date

        func query(_ name: String) -> String? {
            request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Wraps a page: no session → the sign-in page; a role that may not →
    /// 403; a post without the session's CSRF token → 403.
    func guarded(_ access: Access, _ page: @escaping @Sendable (Visit) async throws -> Response)
        -> @Sendable (Request, Context) async throws -> Response {
        { request, context in
            let language = Self.language(of: request)
            let texts = ConsoleTexts.table(language)
            let now = Date()
            guard let token = request.cookies[Self.sessionCookie]?.value,
                  let staff = try await store.session(token: String(token), idle: config.console.sessionIdle, now: now)
            else {
                let hadSession = request.cookies[Self.sessionCookie] != nil
                var target = "/login?next=" + Self.percentEncoded(request.uri.path)
                if hadSession { target += "&ended=1" }
                return redirect(target)
            }
            var visit = Visit(request: request, context: context, staff: staff, language: language, texts: texts,
                              form: [:], now: now)
            guard access.admits(staff.role) else {
                return message(visit, status: .forbidden, title: texts[.forbidden])
            }
            if request.method == .post {
                var body = request
                let buffer = try await body.collectBody(upTo: Self.maxFormBytes)
                visit.form = Self.parseForm(String(buffer: buffer))
                visit.request = body
                guard ConstantTime.equal(visit.form["csrf"] ?? "", staff.csrf) else {
                    logger.warning("console form without its CSRF token", metadata: ["staff.username": "\(staff.username)"])
                    try await store.audit(actor: staff.username, action: "csrf_refused", detail: request.uri.path, now: now)
                    return message(visit, status: .forbidden, title: texts[.formExpired])
                }
            }
            return try await page(visit)
        }
    }

    // MARK: Signing in and out

    func signInPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok,
                    username: String = "") -> Response {
        let language = Self.language(of: request)
        let texts = ConsoleTexts.table(language)
        let csrf = CenterStore.randomToken()
        var notice: String?
        if request.uri.queryParameters["ended"] != nil { notice = texts[.sessionEnded] }
        let data = TemplateValues([
            "t": ConsoleTexts.forTemplates(language), "lang": language.rawValue, "title": texts[.signInTitle],
            "csrf": csrf,
            "next": Self.localPath(request.uri.queryParameters["next"].map(String.init)) ?? "/",
            "error": error, "notice": notice, "username": username,
            "languageLink": languageLink(language, back: "/login"),
        ])
        var response = html(views.render("login", data), status: status)
        response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.signInCookie, csrf, request: request,
                                                                           path: "/login", maxAge: 3600)))
        return response
    }

    /// A sign-in from `client` (its address as the limits count it): the
    /// form's token, then the address's and the console's allowance, then
    /// the password on the checker's threads.
    func signIn(_ request: Request, client: String) async throws -> Response {
        var request = request
        let form = Self.parseForm(String(buffer: try await request.collectBody(upTo: Self.maxFormBytes)))
        let texts = ConsoleTexts.table(Self.language(of: request))
        guard let expected = request.cookies[Self.signInCookie]?.value,
              ConstantTime.equal(form["csrf"] ?? "", String(expected)) else {
            return signInPage(request, error: texts[.formExpired], status: .forbidden)
        }
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = signInGuard.admit(client) {
            let seconds = wait.retryAfterSeconds
            logger.warning("sign-in attempts held back", metadata: ["client.address": "\(client)"])
            var response = signInPage(request, error: texts.format("sign_in_wait", String(seconds)),
                                      status: .tooManyRequests, username: username)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        let result: SignIn
        do {
            result = try await store.signIn(
                username, password: form["password"] ?? "", settings: config.console, checker: checker,
                fromAddressWithFailures: signInGuard.failedRecently(client, within: config.console.lockout))
        } catch is PasswordChecker.Busy {
            var response = signInPage(request, error: texts[.signInBusy], status: .serviceUnavailable, username: username)
            response.headers[.retryAfter] = "5"
            return response
        }
        if result == .wrongPassword { signInGuard.noteFailure(from: client) }
        switch result {
        case let .success(token, session):
            logger.info("staff signed in", metadata: ["staff.username": "\(session.username)"])
            var response = redirect(Self.localPath(form["next"]) ?? "/")
            response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, token, request: request)))
            response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.signInCookie, "", request: request,
                                                                               path: "/login", maxAge: 0)))
            return response
        case .wrongPassword:
            return signInPage(request, error: texts[.wrongPassword], status: .unauthorized, username: username)
        case let .locked(until):
            logger.warning("staff account locked", metadata: ["staff.username": "\(username)"])
            return signInPage(request, error: texts.format("locked", clock(until)), status: Self.locked, username: username)
        case .disabled:
            return signInPage(request, error: texts[.disabled], status: .forbidden, username: username)
        }
    }

    func signOut(_ visit: Visit) async throws -> Response {
        if let token = visit.request.cookies[Self.sessionCookie]?.value { try await store.signOut(token: String(token)) }
        var response = redirect("/login")
        response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, "", request: visit.request,
                                                                           maxAge: 0)))
        return response
    }

    func switchLanguage(_ request: Request) -> Response {
        let language = request.uri.queryParameters["to"] == "en" ? Language.english : .chinese
        var response = redirect(Self.localPath(request.uri.queryParameters["back"].map(String.init)) ?? "/")
        response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.languageCookie, language.rawValue,
                                                                           request: request, maxAge: 365 * 86400)))
        return response
    }

    // MARK: Responses

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: Self.pageHeaders, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let pageHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        // Pages hold personal data: never kept by the browser or a proxy.
        .cacheControl: "no-store",
        .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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
            "canFleet": role.readsFleet,
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

/// The database cannot be reached (PostgreSQL restarting, the network):
/// the member of staff is told, in both languages, that nothing was saved
/// and to try again, rather than shown a bare 500.
struct DatabaseUnavailablePage: RouterMiddleware {
    typealias Context = ConsoleServer.Context
    let logger: Logger

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DatabaseUnavailable {
            logger.error("console: \(error)")
            let texts = ConsoleTexts.table(ConsoleServer.language(of: request))
            let page = """
                <!DOCTYPE html><html lang="\(ConsoleServer.language(of: request).rawValue)"><head><meta charset="utf-8">\
                <title>\(texts[.unavailableTitle])</title><link rel="stylesheet" href="/static/console.css"></head>\
                <body><main id="main"><h1>\(texts[.unavailableTitle])</h1><p>\(texts[.unavailableDetail])</p>\
                </main></body></html>
                """
            return Response(status: .serviceUnavailable,
                            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .retryAfter: "5"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }
}
