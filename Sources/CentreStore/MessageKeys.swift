@preconcurrency import Crypto
import Foundation

/// Keys derived from the seal key for text messages: a phone number's
/// digest (a reply finds its case without opening every request, and the
/// table holds no number) and the signature on each delivery-report address
/// the gateway calls back (no one else can mark a message delivered).
public struct MessageKeys: Sendable {
    private let phone: SymmetricKey
    private let callback: SymmetricKey

    public init(sealKey: [UInt8]) {
        let material = SymmetricKey(data: sealKey)
        phone = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Data("kiosk-center-phone-key-v1".utf8),
                                       outputByteCount: 32)
        callback = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Data("kiosk-center-sms-callback-v1".utf8),
                                          outputByteCount: 32)
    }

    public func phoneKey(_ digits: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(digits.utf8), using: phone)).map { String(format: "%02x", $0) }.joined()
    }

    /// The signature of message `id`'s delivery-report address.
    public func callbackSignature(messageID id: Int64) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("dlr \(id)".utf8), using: callback).prefix(16))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// The signature residents' reply address carries (message id 0 is no message's).
    public var replySignature: String { callbackSignature(messageID: 0) }

    public func callbackIsGenuine(messageID id: Int64, signature: String) -> Bool {
        let expected = Array(callbackSignature(messageID: id).utf8), given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
