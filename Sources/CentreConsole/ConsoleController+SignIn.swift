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
}
