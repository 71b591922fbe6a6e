// SymmetricKey is immutable but not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import Foundation
import IntakeProtocol

/// What the QR code on a referral slip holds: `R1.<referral number>.<mac>`,
/// e.g. `R1.C00000012-1.qL3bW0c1xYp9RZk2`, the mac the first 96 bits of
/// HMAC-SHA256 over `R1.<number>` under the centre's slip key, base64url.
/// No personal data: a lost slip names a partner and a number, nothing of
/// the resident. A partner's scanner types it into the partner's lookup; the
/// signature tells a slip from a number typed at random.
public struct ReferralToken: Sendable, Hashable, CustomStringConvertible {
    public static let version = "R1"
    static let macBytes = 12

    public let number: String
    public let description: String

    public init(number: String, key: ReferralSlipKey) {
        self.number = number
        let body = "\(Self.version).\(number)"
        description = body + "." + key.mac(body)
    }

    /// A scanned or typed token, if its signature is this centre's; nil otherwise.
    public init?(verifying text: String, key: ReferralSlipKey) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Substring(Self.version), !parts[1].isEmpty, parts[1].utf8.count <= 32,
              ConstantTime.equal(key.mac("\(parts[0]).\(parts[1])"), String(parts[2]))
        else { return nil }
        number = String(parts[1])
        description = "\(parts[0]).\(parts[1]).\(parts[2])"
    }

    /// Whether `text` is shaped as a token (so a failed check can say "not this centre's slip").
    public static func looksLikeToken(_ text: String) -> Bool {
        text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(version + ".")
    }
}

/// The centre's key for referral slips, derived from its seal key (HKDF,
/// its own label), so no new credential file is needed and the key opens
/// nothing else.
public struct ReferralSlipKey: Sendable {
    private let key: SymmetricKey

    public init(sealKey: [UInt8]) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: sealKey),
                                     info: Data("kiosk-center-referral-slip-v1".utf8), outputByteCount: 32)
    }

    func mac(_ body: String) -> String {
        let full = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return Data(full.prefix(ReferralToken.macBytes)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
