import CentreConfig
import CentreOperations
import CentreStore
import Foundation
import Hummingbird
import IntakeProtocol
import KioskDomain
import Logging

/// kiosk-center serve: the community acceptance centre's intake API.
///
/// Refuses before storing anything: anything but JSON (415), bodies over 64 KiB (413), requests
/// without a valid signature from a registered kiosk or outside the ±300 s
/// window (401), malformed bodies (400) and bodies that break the protocol's
/// rules (422). Too many failed authentications from one address, or too
/// many requests from one kiosk, are answered 429 with `Retry-After`.
/// Deduplicates by submission id: a resend gets the same
/// reference (200); the same id with another body is refused (409), and so
/// is a new id with a receipt number the kiosk already used (409).
/// Security: kiosk secrets stay in the centre's database, sealed; sealed
/// bodies are opened here with the intake key and checked like plain ones;
/// responses and logs carry ids and references, never personal data.
public struct IntakeController: Sendable {
    public static let maxBodyBytes = 64 * 1024
    /// A body not complete within this is refused (408): a connection that
    /// trickles its body cannot hold a slot for ever.
    public static let bodyTimeout: Duration = .seconds(10)

    public typealias Context = IntakeContext

    let store: CenterStore
    let envelopes: IntakeEnvelopes
    let logger: Logger
    /// How the kiosks' progress screens word a referral's partner.
    let partnerNames: [String: LocalizedText]
    /// Shared by every request this controller answers.
    let guards: IntakeGuards
    /// Peers whose `X-Forwarded-For` names the client the limits count.
    let trustedProxies: TrustedProxies

    public init(store: CenterStore, envelopes: IntakeEnvelopes, logger: Logger, partners: [Partner] = [],
                limits: IntakeLimits = .standard, trustedProxies: TrustedProxies = .none) {
        self.store = store
        self.envelopes = envelopes
        self.logger = logger
        partnerNames = Dictionary(partners.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        guards = IntakeGuards(limits)
        self.trustedProxies = trustedProxies
    }

    /// The router, with any extra middleware (tests add fault injection here).
    public func router(middleware: [any MiddlewareProtocol<Request, Response, Context>] = []) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: ResponseMetricsMiddleware(listener: "intake"))
        router.add(middleware: AllowedMethodsMiddleware(routes: [
            .init("api/v1/submissions", [.post]), .init("api/v1/submissions/batch", [.post]),
            .init("api/v1/kiosks/:code/heartbeat", [.post]), .init("api/v1/kiosks/:code/progress", [.post]),
            .init("health", [.get]),
        ]))
        for item in middleware { router.add(middleware: item) }
        let kiosks = router.group("api/v1")
            .add(middleware: KioskSignatureMiddleware(store: store, limits: guards, trustedProxies: trustedProxies))
        kiosks.post("submissions") { request, context in await submit(request, try context.requireSigned()) }
        kiosks.post("submissions/batch") { _, context in await submitBatch(try context.requireSigned()) }
        kiosks.post("kiosks/:code/heartbeat") { request, context in
            await heartbeat(request, code: context.parameters.get("code") ?? "", try context.requireSigned())
        }
        kiosks.post("kiosks/:code/progress") { request, context in
            await progress(request, code: context.parameters.get("code") ?? "", try context.requireSigned())
        }
        OperationsEndpoints.addHealth(to: router, store: store, logger: logger)
        return router
    }
}

extension IntakeContext {
    /// The signed request the middleware put here; a route outside its group has none.
    func requireSigned() throws -> SignedRequest {
        guard let signed else { throw HTTPError(.internalServerError) }
        return signed
    }
}
