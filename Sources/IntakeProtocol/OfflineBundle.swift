// SymmetricKey is immutable but not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import Foundation

/// A kiosk's unforwarded requests in one file, for a USB trip when the kiosk
/// has been cut off for days (`kioskctl export`, `kiosk-center import`).
///
/// Sealed and signed at once: AES-256-GCM under a key derived (HKDF-SHA256)
/// from the kiosk's centre secret, with the whole header (format, kiosk code,
/// creation and expiry times, count) as associated data. Only the centre,
/// which holds the same secret, can open it; any change to the file, header
/// included, makes it fail to open; and it is refused once expired (a lost
/// stick found later is no way in). Importing twice stores nothing twice:
/// the centre deduplicates by submission id, as over HTTP.
public struct OfflineBundle: Codable, Sendable {
    /// v2 authenticates the whole header; v1 (the kiosk code only) is refused.
    public static let format = "kiosk-export-v2"
    /// How long a bundle may be imported after it was made.
    public static let validity: TimeInterval = 14 * 86_400

    public var format: String
    public var kioskCode: String
    public var createdAt: Date
    public var expiresAt: Date
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
        var bundle = OfflineBundle(format: format, kioskCode: kioskCode, createdAt: now,
                                   expiresAt: now.addingTimeInterval(validity), count: bodies.count, sealed: "")
        let payload = try JSONEncoder().encode(bodies)
        let box = try AES.GCM.seal(payload, using: key(secret), authenticating: bundle.header)
        bundle.sealed = box.combined!.base64EncodedString()
        return bundle
    }

    /// Everything but the sealed part, in one fixed form: what the seal authenticates.
    var header: Data {
        func milliseconds(_ date: Date) -> Int64 { date.wireMilliseconds }
        return Data("\(format)\n\(kioskCode)\n\(milliseconds(createdAt))\n\(milliseconds(expiresAt))\n\(count)".utf8)
    }

    /// Opens the bundle with the kiosk's secret; fails if it was altered or
    /// made with another kiosk's secret.
    public func open(secret: [UInt8], now: Date = Date()) throws -> [Data] {
        guard format == Self.format else {
            throw OpenError(description: "bundle format '\(format.prefix(20))' is not \(Self.format): export it again with this version")
        }
        guard let combined = Data(base64Encoded: sealed),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let payload = try? AES.GCM.open(box, using: Self.key(secret), authenticating: header),
              let bodies = try? JSONDecoder().decode([Data].self, from: payload), bodies.count == count
        else { throw OpenError(description: "the bundle does not open: altered, or not made by kiosk \(kioskCode)") }
        // Checked after the seal: only an authentic expiry is believed.
        guard now <= expiresAt else {
            throw OpenError(description: "the bundle expired on \(expiresAt); export it again at the kiosk")
        }
        return bodies
    }

    static func key(_ secret: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Data(format.utf8), outputByteCount: 32)
    }
}
