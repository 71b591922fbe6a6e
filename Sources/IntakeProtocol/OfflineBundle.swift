// SymmetricKey is immutable but not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import Foundation

/// A kiosk's unforwarded requests in one file, for a USB trip when the kiosk
/// has been cut off for days (`kioskctl export`, `kiosk-center import`).
///
/// Sealed and signed at once: AES-256-GCM under a key derived (HKDF-SHA256)
/// from the kiosk's centre secret, with the kiosk code as associated data.
/// Only the centre, which holds the same secret, can open it, and any change
/// to the file makes it fail to open. Importing twice stores nothing twice:
/// the centre deduplicates by submission id, as over HTTP.
public struct OfflineBundle: Codable, Sendable {
    public static let format = "kiosk-export-v1"

    public var format: String
    public var kioskCode: String
    public var createdAt: Date
    public var count: Int
    /// Base64 of nonce, ciphertext and tag.
    public var sealed: String

    public struct OpenError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Seals the request bodies (each the JSON the intake API takes).
    public static func seal(bodies: [Data], kioskCode: String, secret: [UInt8], now: Date = Date()) throws -> OfflineBundle {
        let payload = try JSONEncoder().encode(bodies)
        let box = try AES.GCM.seal(payload, using: key(secret), authenticating: Data(kioskCode.utf8))
        return OfflineBundle(format: format, kioskCode: kioskCode, createdAt: now, count: bodies.count,
                             sealed: box.combined!.base64EncodedString())
    }

    /// Opens the bundle with the kiosk's secret; fails if it was altered or
    /// made with another kiosk's secret.
    public func open(secret: [UInt8]) throws -> [Data] {
        guard format == Self.format else { throw OpenError(description: "unknown bundle format '\(format.prefix(20))'") }
        guard let combined = Data(base64Encoded: sealed),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let payload = try? AES.GCM.open(box, using: Self.key(secret), authenticating: Data(kioskCode.utf8)),
              let bodies = try? JSONDecoder().decode([Data].self, from: payload), bodies.count == count
        else { throw OpenError(description: "the bundle does not open: altered, or not made by kiosk \(kioskCode)") }
        return bodies
    }

    static func key(_ secret: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Data(format.utf8), outputByteCount: 32)
    }
}
