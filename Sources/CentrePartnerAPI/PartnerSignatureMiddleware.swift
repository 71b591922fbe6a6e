import CentreConfig
import CentreOperations
import CentreStore
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import NIOCore
import Synchronization

/// Every partner API call is checked before its handler runs: size, the
/// partner (one of partners.yaml with a current secret), the signature,
/// the ±300 s clock window, and that this very signature was not seen
/// before (a replayed call is refused). A failure spends its address's
/// allowance, answered 429 once spent.
///
/// Signature: `Partner-Signature: v1=<hex>`, HMAC-SHA256 under the
/// partner's secret over `METHOD \n PATH[?QUERY] \n TIMESTAMP \n
/// hex(SHA-256(body))`, with `Partner-Id` and `Partner-Timestamp`.
struct PartnerSignatureMiddleware: RouterMiddleware {
    typealias Context = PartnerContext

    static let idHeader = HTTPField.Name("Partner-Id")!
    static let timestampHeader = HTTPField.Name("Partner-Timestamp")!
    static let signatureHeader = HTTPField.Name("Partner-Signature")!

    let store: CenterStore
    let config: CenterConfiguration
    let guards: PartnerGuards
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch await verify(request) {
        case let .failure(response):
            let peer = ClientAddress.key(of: request, context: context, trusted: trustedProxies)
            if let wait = guards.failures.take(peer) {
                var refused = PartnerResponse.problem(429, "Too many requests", detail: "too many failed requests from this address")
                refused.headers[.retryAfter] = String(wait.retryAfterSeconds)
                return refused
            }
            return response
        case let .success(signed):
            var context = context
            context.signed = signed
            return try await next(request, context)
        }
    }

    private enum Verified {
        case success(SignedPartnerRequest)
        case failure(Response)
    }

    private func verify(_ request: Request) async -> Verified {
        if request.method == .post {
            let mediaType = request.headers[.contentType]?.split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard mediaType == "application/json" else {
                return .failure(PartnerResponse.problem(415, "Unsupported media type", detail: "send application/json"))
            }
        }
        let body: Data
        do { body = Data(try await request.body.collect(upTo: PartnerAPIController.maxBodyBytes).readableBytesView) } catch {
            return .failure(PartnerResponse.problem(413, "Body too large", detail: "at most \(PartnerAPIController.maxBodyBytes) bytes"))
        }
        guard let partner = request.headers[Self.idHeader], let stamp = request.headers[Self.timestampHeader].flatMap({ Int64($0) }),
              let signature = request.headers[Self.signatureHeader]
        else { return .failure(PartnerResponse.problem(401, "Unsigned request", detail: "send Partner-Id, Partner-Timestamp and Partner-Signature")) }
        let badSignature = PartnerResponse.problem(401, "Bad signature", detail: "unknown partner or wrong signature")
        guard config.partner(partner) != nil else { return .failure(badSignature) }
        let secret: [UInt8]?
        do { secret = try await store.partnerSecret(of: partner) } catch {
            return .failure(PartnerResponse.problem(503, "Cannot check the partner now"))
        }
        guard let secret else { return .failure(badSignature) }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        guard RequestSigner(secret: secret).verify(signature, method: request.method.rawValue, path: request.uri.path + query,
                                                   timestamp: stamp, body: body)
        else { return .failure(badSignature) }
        let offset = WireNumbers.difference(stamp, WireNumbers.int64(saturating: Date().timeIntervalSince1970))
        guard offset.magnitude <= UInt64(RequestSigner.window) else {
            return .failure(PartnerResponse.problem(401, "Stale request", detail: "timestamp outside ±300 s; check the clock"))
        }
        guard guards.firstSight(of: signature, at: stamp) else {
            return .failure(PartnerResponse.problem(401, "Replayed request", detail: "this signed request was already received"))
        }
        return .success(SignedPartnerRequest(partner: partner, body: body))
    }
}

/// The limits and the replay memory one controller shares across requests.
final class PartnerGuards: Sendable {
    let failures = RateLimiter(RateLimiter.Rule(burst: 20, perSecond: 0.2))
    /// Signatures accepted in the last window, by their timestamp: a call is
    /// taken once; older than the window it is refused as stale anyway.
    private let seen = Mutex<[String: Int64]>([:])
    static let maxRemembered = 100_000

    func firstSight(of signature: String, at stamp: Int64, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Bool {
        seen.withLock { seen in
            if seen[signature] != nil { return false }
            if seen.count >= Self.maxRemembered {
                let horizon = now - Int64(RequestSigner.window) - 1
                seen = seen.filter { $0.value >= horizon }
            }
            // Still full of calls within the window: refusing is safer than forgetting one.
            guard seen.count < Self.maxRemembered else { return false }
            seen[signature] = stamp
            return true
        }
    }
}
