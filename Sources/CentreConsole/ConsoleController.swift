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
/// supervisors, auditors, technicians and partner organisations' staff, on a listener of its own apart from the kiosks'
/// intake API.
///
/// Security: sessions live in the database (`CenterStore+Staff`), the
/// cookie is HttpOnly and SameSite=Strict (Secure behind TLS), every form
/// carries the session's CSRF token, and each role reaches only its pages.
/// Pages holding personal data are never cached and every look at them is
/// written to the access log. No JavaScript: it works on any browser.
public struct ConsoleController: Sendable {
    public typealias Context = ConsoleContext

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
        router.get("static/visit-score.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: views.visitScript)))
        }
        OperationsEndpoints.addHealth(to: router, store: store, logger: logger)
        OperationsEndpoints.addMetrics(to: router, store: store, logger: logger, token: metricsToken)
        router.get("login") { request, _ in signInPage(request) }
        router.post("login") { request, context in
            try await signIn(request, client: ClientAddress.key(of: request, context: context, trusted: config.trustedProxies))
        }
        router.get("language") { request, _ in switchLanguage(request) }

        // Behind a member of staff's session, each group for the roles it admits.
        let anyone = staff(router, .anyone)
        anyone.post("logout") { request, context in try await signOut(Visit(request, context)) }
        anyone.get("") { _, context in
            let role = context.staff.role
            return redirect(role.handlesCases ? "/inbox" : role.answersReferrals ? "/partner"
                : role.readsReports ? "/reports" : role.readsFleet ? "/fleet" : "/audit")
        }
        let cases = staff(router, .caseworker)
        cases.get("inbox") { request, context in try await inboxPage(Visit(request, context)) }
        cases.get("ticket") { request, context in try await ticketLookup(Visit(request, context)) }
        cases.get("cases/:reference") { request, context in try await casePage(Visit(request, context), look: .view) }
        cases.post("cases/:reference/reveal-id") { request, context in
            try await casePage(Visit(request, context), look: .revealID)
        }
        cases.post("cases/:reference/actions") { request, context in try await caseAction(Visit(request, context)) }
        cases.post("cases/:reference/referrals/:number/cancel") { request, context in
            try await cancelReferral(Visit(request, context))
        }
        cases.post("cases/:reference/visits") { request, context in try await recordVisit(Visit(request, context)) }
        cases.post("cases/:reference/visits/decision") { request, context in try await decideVisit(Visit(request, context)) }
        cases.post("cases/:reference/plan") { request, context in try await addPlanItem(Visit(request, context)) }
        cases.post("cases/:reference/plan/:item") { request, context in try await closePlanItem(Visit(request, context)) }
        cases.post("cases/:reference/messages") { request, context in try await sendFreeText(Visit(request, context)) }
        cases.get("cases/:reference/referrals/:number/slip.pdf") { request, context in
            try await slipPDF(Visit(request, context))
        }
        cases.post("cases/:reference/referrals/:number/slip") { request, context in
            try await printSlip(Visit(request, context))
        }
        let partner = staff(router, .partner)
        partner.get("partner") { request, context in try await partnerInboxPage(Visit(request, context)) }
        partner.get("partner/lookup") { request, context in try await partnerLookup(Visit(request, context)) }
        partner.get("partner/referrals/:number") { request, context in
            try await partnerReferralPage(Visit(request, context))
        }
        partner.post("partner/referrals/:number/actions") { request, context in
            try await partnerReferralAction(Visit(request, context))
        }
        let reports = staff(router, .reports)
        reports.get("reports") { request, context in try await reportsPage(Visit(request, context)) }
        reports.get("reports.csv") { request, context in try await reportCSV(Visit(request, context)) }
        staff(router, .audit).get("audit") { request, context in try await auditPage(Visit(request, context)) }
        let fleet = staff(router, .fleet)
        fleet.get("fleet") { request, context in try await fleetPage(Visit(request, context)) }
        fleet.get("fleet/:code") { request, context in try await kioskPage(Visit(request, context)) }
        return router
    }

    /// Routes for the staff `access` admits: the session, role and CSRF
    /// checks run first (`StaffSessionMiddleware`); the routes see a `StaffContext`.
    private func staff(_ router: Router<Context>, _ access: StaffAccess) -> RouterGroup<StaffContext> {
        router.group().add(middleware: StaffSessionMiddleware(console: self, access: access)).group(context: StaffContext.self)
    }
}
