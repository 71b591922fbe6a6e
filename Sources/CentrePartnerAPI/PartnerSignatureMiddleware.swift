import CentreConfig
import CentreIntake
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
/// the ±300 s clock window, and that the call's nonce was not seen before
/// (a replayed call is refused). A failure spends its address's allowance,
/// answered 429 once spent.
///
/// Signature: `Partner-Signature: v1=<hex>`, HMAC-SHA256 under the
/// partner's secret over `METHOD \n PATH[?QUERY] \n NONCE \n TIMESTAMP \n
/// hex(SHA-256(body))` (the kiosks' scheme with the nonce after the path), with `Partner-Id`, `Partner-Timestamp` and
/// `Partner-Nonce` (16 to 64 letters, digits, '-' or '_', new for each call).
struct PartnerSignatureMiddleware: RouterMiddleware {
    typealias Context = PartnerContext

    static let idHeader = HTTPField.Name("Partner-Id")!
    static let timestampHeader = HTTPField.Name("Partner-Timestamp")!
    static let signatureHeader = HTTPField.Name("Partner-Signature")!
    static let nonceHeader = HTTPField.Name("Partner-Nonce")!

    let store: CenterStore
    let config: CenterConfiguration
    let guards: PartnerGuards
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch await verify(request) {
        case let .failure(response):
            let peer = ClientAddress.key(of: request, context: context, trusted: trustedProxies)
            if let wait = guards.failures.take(peer) {
                return IntakeResponse.tooMany(wait, detail: "too many failed requests from this address")
            }
            return response
        case let .success(signed):
            var context = context
            context.signed = signed
            return try await next(request, context)
        }
    }

    static func isNonce(_ text: String) -> Bool {
        (16...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
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
                return .failure(IntakeResponse.problem(415, "Unsupported media type", detail: "send application/json"))
            }
        }
        let body: Data
        do {
            // As the kiosks' bodies: a trickled body cannot hold a connection for ever.
            body = Data(try await TimedBody.collect(request, upTo: PartnerAPIController.maxBodyBytes,
                                                                   within: IntakeController.bodyTimeout).readableBytesView)
        } catch is TimedBody.BodyTimeout {
            return .failure(IntakeResponse.problem(408, "Body too slow", detail: "send the body within \(IntakeController.bodyTimeout)"))
        } catch {
            return .failure(IntakeResponse.problem(413, "Body too large", detail: "at most \(PartnerAPIController.maxBodyBytes) bytes"))
        }
        guard let partner = request.headers[Self.idHeader], let stamp = request.headers[Self.timestampHeader].flatMap({ Int64($0) }),
              let signature = request.headers[Self.signatureHeader], let nonce = request.headers[Self.nonceHeader]
        else {
            return .failure(IntakeResponse.problem(
                401, "Unsigned request", detail: "send Partner-Id, Partner-Timestamp, Partner-Nonce and Partner-Signature"))
        }
        guard Self.isNonce(nonce) else {
            return .failure(IntakeResponse.problem(401, "Bad nonce", detail: "Partner-Nonce: 16 to 64 letters, digits, '-' or '_'"))
        }
        let badSignature = IntakeResponse.problem(401, "Bad signature", detail: "unknown partner or wrong signature")
        guard config.partner(partner) != nil else { return .failure(badSignature) }
        let secret: [UInt8]?
        do { secret = try await store.partnerSecret(of: partner) } catch {
            return .failure(IntakeResponse.problem(503, "Cannot check the partner now"))
        }
        guard let secret else { return .failure(badSignature) }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        guard RequestSigner(secret: secret).verify(signature, method: request.method.rawValue,
                                                   path: request.uri.path + query + "\n" + nonce, timestamp: stamp, body: body)
        else { return .failure(badSignature) }
        let offset = WireNumbers.difference(stamp, WireNumbers.int64(saturating: Date().timeIntervalSince1970))
        guard offset.magnitude <= UInt64(RequestSigner.window) else {
            return .failure(IntakeResponse.problem(401, "Stale request", detail: "timestamp outside ±300 s; check the clock"))
        }
        guard guards.firstSight(of: "\(partner) \(nonce)", at: stamp) else {
            return .failure(IntakeResponse.problem(401, "Replayed request", detail: "this signed request was already received"))
        }
        return .success(SignedPartnerRequest(partner: partner, body: body))
    }
}

/// The limits and the replay memory one controller shares across requests.
final class PartnerGuards: Sendable {
    let failures = RateLimiter(RateLimiter.Rule(burst: 20, perSecond: 0.2))
    /// Nonces accepted in the last window, by their timestamp: a call is
    /// taken once; older than the window it is refused as stale anyway.
    private let seen = Mutex<[String: Int64]>([:])
    static let maxRemembered = 100_000

    func firstSight(of nonce: String, at stamp: Int64, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Bool {
        seen.withLock { seen in
            if seen[nonce] != nil { return false }
            if seen.count >= Self.maxRemembered {
                let horizon = now - Int64(RequestSigner.window) - 1
                seen = seen.filter { $0.value >= horizon }
            }
            // Still full of calls within the window: refusing is safer than forgetting one.
            guard seen.count < Self.maxRemembered else { return false }
            seen[nonce] = stamp
            return true
        }
    }
}
