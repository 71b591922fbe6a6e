import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import KioskDomain
import NIOCore

/// A console request's context: Hummingbird's basics, the peer's address
/// (the sign-in limits key on it), and what `StaffSessionMiddleware` found.
public struct ConsoleContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The signed-in member of staff, once their session was checked.
    var staff: StaffSession?
    /// A posted form, already checked for the session's CSRF token.
    var form: [String: String] = [:]
    var now = Date()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The context of a route behind a session: a member of staff is signed
/// in, may see this page, and any form they posted carried their token.
struct StaffContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let staff: StaffSession
    let form: [String: String]
    let now: Date

    init(context: ConsoleContext) throws {
        // Only reached through StaffSessionMiddleware, which answers a visitor without a session itself.
        guard let staff = context.staff else { throw HTTPError(.unauthorized) }
        coreContext = context.coreContext
        self.staff = staff
        form = context.form
        now = context.now
    }
}

/// Which staff a group of pages admits.
enum StaffAccess {
    case anyone
    case caseworker
    case reports
    case audit
    case fleet
    case partner

    func admits(_ role: StaffRole) -> Bool {
        switch self {
        case .anyone: true
        case .caseworker: role.handlesCases
        case .reports: role.readsReports
        case .audit: role.readsAudit
        case .fleet: role.readsFleet
        case .partner: role.answersReferrals
        }
    }
}

/// One request of a signed-in member of staff, as the pages read it.
struct Visit {
    var request: Request
    var parameters: Parameters
    var staff: StaffSession
    var language: Language
    var texts: [String: String]
    /// A posted form, already checked for its CSRF token.
    var form: [String: String]
    var now: Date

    init(request: Request, parameters: Parameters, staff: StaffSession, form: [String: String], now: Date) {
        self.request = request
        self.parameters = parameters
        self.staff = staff
        language = ConsoleController.language(of: request)
        texts = ConsoleTexts.table(language)
        self.form = form
        self.now = now
    }

    init(_ request: Request, _ context: StaffContext) {
        self.init(request: request, parameters: context.parameters, staff: context.staff, form: context.form,
                  now: context.now)
    }

    func query(_ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }
}
