// SymmetricKey is immutable but not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import Foundation

/// How a kiosk signs a request and the centre checks it.
///
/// Signature: HMAC-SHA256 under the kiosk's secret over
/// `METHOD \n PATH \n TIMESTAMP \n hex(SHA-256(body))`, sent as
/// `Kiosk-Signature: v1=<hex>` with `Kiosk-Code` and `Kiosk-Timestamp`
/// (seconds since 1970). The centre accepts timestamps within ±300 s.
public struct RequestSigner: Sendable {
    public static let codeHeader = "Kiosk-Code"
    public static let timestampHeader = "Kiosk-Timestamp"
    public static let signatureHeader = "Kiosk-Signature"
    public static let idempotencyHeader = "Idempotency-Key"
    public static let window: TimeInterval = 300

    private let key: SymmetricKey

    public init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    public static func bodyDigest(_ body: Data) -> String {
        SHA256.hash(data: body).hexString
    }

    public func signature(method: String, path: String, timestamp: Int64, body: Data) -> String {
        let message = "\(method)\n\(path)\n\(timestamp)\n\(Self.bodyDigest(body))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
        return "v1=" + mac.hexString
    }

    /// Compares in constant time.
    public func verify(_ given: String, method: String, path: String, timestamp: Int64, body: Data) -> Bool {
        ConstantTime.equal(signature(method: method, path: path, timestamp: timestamp, body: body), given)
    }

    /// The centre's acknowledgement of a stored submission: HMAC-SHA256
    /// under the same secret over `ack \n SUBMISSION-ID \n REFERENCE`. The
    /// kiosk marks a request forwarded only on a valid one, so an answer
    /// from anyone without the kiosk's secret (a redirect target, a proxy, a
    /// misconfigured URL) never counts as delivery.
    public func acknowledgement(submissionID: String, reference: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("ack\n\(submissionID)\n\(reference)".utf8), using: key)
        return "v1=" + mac.hexString
    }

    /// Compares in constant time.
    public func verifyAcknowledgement(_ given: String, submissionID: String, reference: String) -> Bool {
        ConstantTime.equal(acknowledgement(submissionID: submissionID, reference: reference), given)
    }

    /// The header of a signed refusal (`Kiosk-Refusal: v1=<hex>`) and of a
    /// signed answer body (`Kiosk-Answer-Signature: v1=<hex>`).
    public static let refusalHeader = "Kiosk-Refusal"
    public static let answerSignatureHeader = "Kiosk-Answer-Signature"

    /// The centre's word that it refused a submission for good: HMAC-SHA256
    /// over `refusal \n SUBMISSION-ID \n STATUS`. Only a refusal signed so
    /// sets a request aside; an unsigned 4xx (a proxy's 403 or 413, anyone on
    /// a plain-HTTP path) is retried, never final.
    public func refusal(submissionID: String, status: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("refusal\n\(submissionID.lowercased())\n\(status)".utf8), using: key)
        return "v1=" + mac.hexString
    }

    public func verifyRefusal(_ given: String, submissionID: String, status: Int) -> Bool {
        ConstantTime.equal(refusal(submissionID: submissionID, status: status), given)
    }

    /// The centre's signature over an answer's body (a progress page), bound
    /// to the request it answers by that request's timestamp: HMAC-SHA256 over
    /// `answer \n PATH \n REQUEST-TIMESTAMP \n hex(SHA-256(body))`. A page
    /// from anyone else, or an old page replayed, is not taken.
    public func answerSignature(path: String, requestTimestamp: Int64, body: Data) -> String {
        let message = "answer\n\(path)\n\(requestTimestamp)\n\(Self.bodyDigest(body))"
        return "v1=" + HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key).hexString
    }

    public func verifyAnswer(_ given: String, path: String, requestTimestamp: Int64, body: Data) -> Bool {
        ConstantTime.equal(answerSignature(path: path, requestTimestamp: requestTimestamp, body: body), given)
    }

    /// A new random 32-byte secret as 64 hex digits (`kiosk-center kiosk add`).
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }
}

/// The intake API's paths (`docs/intake-api.yaml`).
public enum IntakePaths {
    public static let submissions = "/api/v1/submissions"
    public static let submissionBatch = "/api/v1/submissions/batch"
    public static func heartbeat(_ code: String) -> String { "/api/v1/kiosks/\(code)/heartbeat" }
    public static func progress(_ code: String) -> String { "/api/v1/kiosks/\(code)/progress" }
}
