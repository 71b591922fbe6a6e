// SymmetricKey is immutable but not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import Foundation
import KioskDomain

/// What the QR code on a receipt holds: a short signed token that staff can
/// verify offline, with no personal data.
///
/// `K1.<receipt number>.<issue time>.<mac>`, e.g.
/// `K1.JA0301-261129-0042-2.T4M2KW.qL3bW0c1xYp9RZk2`:
/// - `K1`: the format version;
/// - the receipt number, which carries the kiosk code;
/// - the issue time, seconds since 1970 in base 36 (upper case);
/// - the first 96 bits of HMAC-SHA256 over `K1.<receipt>.<time>` under the
///   kiosk's receipt key, base64url without padding.
/// At most 64 characters even with a 12-character kiosk code.
public struct ReceiptToken: Sendable, Hashable, CustomStringConvertible {
    public static let version = "K1"
    static let macBytes = 12

    public let receiptNumber: ReceiptNumber
    public let issuedAt: Date
    public let description: String
    /// The digits printed beside the number (`ReceiptKey.progressCode`); not part of the QR code.
    public let progressCode: String

    public var kioskCode: String { receiptNumber.kioskCode }

    /// Signs a new token for a receipt.
    public init(receiptNumber: ReceiptNumber, issuedAt: Date, key: ReceiptKey) {
        let seconds = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let body = "\(Self.version).\(receiptNumber).\(String(seconds, radix: 36, uppercase: true))"
        self.receiptNumber = receiptNumber
        self.issuedAt = Date(timeIntervalSince1970: Double(seconds))
        self.description = body + "." + key.mac(body)
        progressCode = key.progressCode(for: receiptNumber)
    }

    public enum VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case unknownVersion(String)
        case badReceiptNumber(ReceiptNumber.ParseError)
        case badSignature

        public var description: String {
            switch self {
            case .malformed: "not a receipt token (expected K1.<receipt>.<time>.<signature>)"
            case let .unknownVersion(version): "unknown token version '\(version.prefix(8))'"
            case let .badReceiptNumber(error): "the receipt number in the token is wrong: \(error)"
            case .badSignature: "the signature does not match: the token was altered or not made by this kiosk's key"
            }
        }
    }

    /// Checks a token, or a status-page URL ending in one, with the kiosk's
    /// receipt key.
    public init(verifying text: String, key: ReceiptKey) throws(VerificationError) {
        let parsed = try Self.parse(text)
        guard key.verify(mac: parsed.mac, for: parsed.body) else { throw .badSignature }
        self.receiptNumber = parsed.receipt
        self.issuedAt = Date(timeIntervalSince1970: Double(parsed.seconds))
        self.description = parsed.token
        progressCode = key.progressCode(for: parsed.receipt)
    }

    /// The receipt number a token claims, before its signature is checked:
    /// it names the kiosk whose key checks it (at the centre, which holds many).
    public static func claimedReceiptNumber(in text: String) throws(VerificationError) -> ReceiptNumber {
        try parse(text).receipt
    }

    private static func parse(_ text: String) throws(VerificationError)
        -> (token: String, body: String, receipt: ReceiptNumber, seconds: Int64, mac: String) {
        // Tokens never hold '/' or '=', so a URL prefix ends at the last of them.
        var token = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if let start = token.lastIndex(where: { $0 == "/" || $0 == "=" }) { token = token[token.index(after: start)...] }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, token.utf8.count <= 64 else {
            if let first = parts.first, parts.count >= 2, first != Substring(Self.version), first.hasPrefix("K") {
                throw .unknownVersion(String(first))
            }
            throw .malformed
        }
        guard parts[0] == Substring(Self.version) else { throw .unknownVersion(String(parts[0])) }
        let receipt: ReceiptNumber
        do { receipt = try ReceiptNumber(parsing: String(parts[1])) } catch { throw .badReceiptNumber(error) }
        guard receipt.description == parts[1], let seconds = Int64(parts[2], radix: 36), seconds > 0,
              String(seconds, radix: 36, uppercase: true) == parts[2]
        else { throw .malformed }
        return (String(token), "\(parts[0]).\(parts[1]).\(parts[2])", receipt, seconds, String(parts[3]))
    }

    /// What the QR code holds: the token, after the configured URL prefix.
    public func qrPayload(urlPrefix: String) -> String {
        urlPrefix + description
    }
}

/// The kiosk's receipt-signing key (a credential file, 32 bytes).
public struct ReceiptKey: Sendable {
    private let key: SymmetricKey

    public init(bytes: [UInt8]) {
        precondition(bytes.count >= 32, "receipt keys are 32 bytes")
        key = SymmetricKey(data: bytes)
    }

    /// The receipt key of the kiosk registered with `secret` (the centre
    /// secret `kiosk-center kiosk add` printed): HKDF-SHA256 with the kiosk
    /// code, so the centre can check any of its kiosks' tickets, and a
    /// kiosk's receipt key opens nothing else.
    public static func derived(fromCentreSecret secret: [UInt8], kioskCode: String) -> ReceiptKey {
        ReceiptKey(bytes: derivedBytes(fromCentreSecret: secret, kioskCode: kioskCode))
    }

    public static func derivedBytes(fromCentreSecret secret: [UInt8], kioskCode: String) -> [UInt8] {
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret),
                                         info: Data("kiosk-receipt-key-v1:\(kioskCode)".utf8), outputByteCount: 32)
        return key.withUnsafeBytes { Array($0) }
    }

    func mac(_ body: String) -> String {
        let full = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return Data(full.prefix(ReceiptToken.macBytes)).base64URLEncoded
    }

    /// The four digits printed beside a receipt number (查询码): with the
    /// number typed at the kiosk they show the request's progress, as a
    /// scanned QR code does. Derived from the receipt key, so nothing new is
    /// stored and the centre could check it too; a passer-by who guesses a
    /// neighbour's number does not have it.
    public func progressCode(for receipt: ReceiptNumber) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("progress-code-v1:\(receipt)".utf8), using: key)
        let value = Array(mac).prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 10_000
        let digits = String(value)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Whether `code` is `receipt`'s progress code (in constant time).
    public func checks(progressCode code: String, for receipt: ReceiptNumber) -> Bool {
        let expected = Array(progressCode(for: receipt).utf8), given = Array(code.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Compares in constant time.
    func verify(mac: String, for body: String) -> Bool {
        let expected = Array(self.mac(body).utf8), given = Array(mac.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Data {
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
