import CentreStore
import Foundation
import Hummingbird
import IntakeProtocol

/// The one door to every signed-in page: no session → the sign-in page
/// (saying so when one had ended); a role the pages do not admit → 403; a
/// post without the session's CSRF token → 403, written to the access log.
/// What it found goes into the context for the route.
struct StaffSessionMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext

    let console: ConsoleController
    let access: StaffAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = Date()
        guard let token = request.cookies[ConsoleController.sessionCookie]?.value,
              let staff = try await console.store.session(token: String(token), idle: console.config.console.sessionIdle,
                                                          now: now)
        else {
            let hadSession = request.cookies[ConsoleController.sessionCookie] != nil
            var target = "/login?next=" + ConsoleController.percentEncoded(request.uri.path)
            if hadSession { target += "&ended=1" }
            return console.redirect(target)
        }
        var request = request
        var visit = Visit(request: request, parameters: context.parameters, staff: staff, form: [:], now: now)
        guard access.admits(staff.role) else {
            return console.message(visit, status: .forbidden, title: visit.texts[.forbidden])
        }
        if request.method == .post {
            let buffer = try await request.collectBody(upTo: ConsoleController.maxFormBytes)
            visit.form = ConsoleController.parseForm(String(buffer: buffer))
            guard ConstantTime.equal(visit.form["csrf"] ?? "", staff.csrf) else {
                console.logger.warning("console form without its CSRF token", metadata: ["staff.username": "\(staff.username)"])
                try await console.store.audit(actor: staff.username, action: "csrf_refused", detail: request.uri.path, now: now)
                return console.message(visit, status: .forbidden, title: visit.texts[.formExpired])
            }
        }
        var context = context
        context.staff = staff
        context.form = visit.form
        context.now = now
        return try await next(request, context)
    }
}
