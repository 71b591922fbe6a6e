import CentreConfig
import CentreOperations
import CentreStore
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import NIOCore

/// Every route under `api/v1` is a kiosk's signed POST. This checks, before
/// any handler runs: media type, size limit, signature, kiosk registration
/// and the timestamp window, then the kiosk's own rate; and fills the
/// context's `signed`.
///
/// A request that fails spends its address's and its claimed kiosk's failure
/// allowance, and is answered 429 once either is spent; one that verifies is
/// never held back by them: behind one proxy (or one NAT) a flood of bad
/// signatures must not shut out the genuine kiosks beside it. (So a spent
/// address still costs the centre a signature check a request: bounded by
/// the body limit and the listener's connection cap.)
struct KioskSignatureMiddleware: RouterMiddleware {
    typealias Context = IntakeContext

    let store: CenterStore
    let limits: IntakeGuards
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let peer = ClientAddress.key(of: request, context: context, trusted: trustedProxies)
        let maxBytes = request.uri.path == IntakePaths.submissionBatch ? SubmissionBatch.maxBodyBytes
                                                                        : IntakeController.maxBodyBytes
        switch await verify(request, maxBytes: maxBytes) {
        case let .failure(response):
            let claimed = String((request.headers[.kioskCode] ?? "").prefix(32))
            let byAddress = limits.failures.take(peer), byKiosk = limits.kioskFailures.take(claimed)
            if let wait = byAddress ?? byKiosk {
                return IntakeResponse.tooMany(wait, detail: byAddress != nil ? "too many failed requests from this address"
                                                                             : "too many failed requests for this kiosk")
            }
            return response
        case let .success(signed):
            if let wait = limits.kiosks.take(signed.kiosk) {
                return IntakeResponse.tooMany(wait, detail: "too many requests from kiosk \(signed.kiosk.prefix(12))")
            }
            var context = context
            context.signed = signed
            return try await next(request, context)
        }
    }

    private enum Verified {
        case success(SignedRequest)
        case failure(Response)
    }

    private func verify(_ request: Request, maxBytes: Int) async -> Verified {
        // JSON only (a charset parameter aside): nothing else is ever parsed.
        let mediaType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/json" else {
            return .failure(IntakeResponse.problem(415, "Unsupported media type", detail: "send application/json"))
        }
        let limit = IntakeController.bodyTimeout
        let buffer: ByteBuffer
        do {
            buffer = try await TimedBody.collect(request, upTo: maxBytes, within: limit)
        } catch is TimedBody.BodyTimeout {
            return .failure(IntakeResponse.problem(408, "Body too slow", detail: "send the body within \(limit)"))
        } catch {
            return .failure(IntakeResponse.problem(413, "Body too large", detail: "at most \(maxBytes) bytes"))
        }
        let body = Data(buffer.readableBytesView)
        guard let code = request.headers[.kioskCode],
              let stamp = request.headers[.kioskTimestamp].flatMap({ Int64($0) }),
              let signature = request.headers[.kioskSignature]
        else { return .failure(IntakeResponse.problem(401, "Unsigned request")) }
        let known: [UInt8]?
        do { known = try await store.secret(of: code) } catch {
            return .failure(IntakeResponse.problem(503, "Cannot check the kiosk now"))
        }
        let badSignature = IntakeResponse.problem(401, "Bad signature", detail: "unknown kiosk or wrong signature")
        guard let secret = known else { return .failure(badSignature) }
        let signer = RequestSigner(secret: secret)
        // Signed over the path as sent: the route's own (`IntakePaths`).
        guard signer.verify(signature, method: "POST", path: request.uri.path, timestamp: stamp, body: body)
        else { return .failure(badSignature) }
        // Only a kiosk that proved itself learns that its clock is off; the
        // fleet page shows it (the kiosk cannot deliver even a heartbeat).
        // In integers that saturate: the stamp is any Int64 a kiosk signed.
        let offset = WireNumbers.difference(stamp, WireNumbers.int64(saturating: Date().timeIntervalSince1970))
        guard offset.magnitude <= UInt64(RequestSigner.window) else {
            try? await store.noteClockRefused(kiosk: code, offsetSeconds: offset)
            return .failure(IntakeResponse.problem(401, "Stale request",
                                                   detail: "timestamp outside ±300 s; check the kiosk's clock"))
        }
        return .success(SignedRequest(kiosk: code, body: body, signer: signer))
    }
}

/// The limiters one router shares across its requests.
struct IntakeGuards: Sendable {
    let kiosks: RateLimiter
    let failures: RateLimiter
    let kioskFailures: RateLimiter

    init(_ limits: IntakeLimits) {
        kiosks = RateLimiter(limits.perKiosk)
        failures = RateLimiter(limits.failuresPerAddress)
        kioskFailures = RateLimiter(limits.failuresPerAddress)
    }
}

extension HTTPField.Name {
    static let kioskCode = HTTPField.Name(RequestSigner.codeHeader)!
    static let kioskTimestamp = HTTPField.Name(RequestSigner.timestampHeader)!
    static let kioskSignature = HTTPField.Name(RequestSigner.signatureHeader)!
    static let idempotencyKey = HTTPField.Name(RequestSigner.idempotencyHeader)!
    static let kioskRefusal = HTTPField.Name(RequestSigner.refusalHeader)!
    static let kioskAnswerSignature = HTTPField.Name(RequestSigner.answerSignatureHeader)!
}

/// Reading a request's body with a deadline: shared by the kiosks' and the partners' signature checks.
package enum TimedBody {
    /// A body that had not all arrived within its limit.
    package struct BodyTimeout: Error {}

    /// The body, up to `maxBytes`, or `BodyTimeout` when it has not all
    /// arrived within `limit` (the partner API's middleware reads its bodies so too).
    package static func collect(_ request: Request, upTo maxBytes: Int, within limit: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer.self) { group in
            group.addTask { try await request.body.collect(upTo: maxBytes) }
            group.addTask {
                try await Task.sleep(for: limit)
                throw BodyTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
