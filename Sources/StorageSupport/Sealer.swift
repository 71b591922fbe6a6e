// SymmetricKey is immutable but not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import Foundation
import IntakeProtocol

/// Seals personal data at rest with AES-256-GCM.
///
/// A sealed blob is one format byte then nonce, ciphertext and tag. The
/// submission id is bound in as associated data, so a blob copied onto
/// another row does not open.
public struct Sealer: Sendable {
    static let formatVersion: UInt8 = 1
    private let key: SymmetricKey

    public init(keyBytes: [UInt8]) {
        precondition(keyBytes.count == 32, "AES-256 needs a 32-byte key")
        key = SymmetricKey(data: keyBytes)
    }

    public func seal(_ plaintext: Data, boundTo id: UUID) throws(SealingError) -> Data {
        try seal(plaintext, context: Self.associatedData(id))
    }

    public func open(_ sealed: Data, boundTo id: UUID) throws(SealingError) -> Data {
        try open(sealed, context: Self.associatedData(id), naming: "sealed data of submission \(id.uuidString.lowercased())")
    }

    /// Seals with `context` as associated data: a blob opens only where the
    /// same context is given (a kiosk secret under its code and generation).
    public func seal(_ plaintext: Data, context: Data) throws(SealingError) -> Data {
        do {
            let box = try AES.GCM.seal(plaintext, using: key, authenticating: context)
            guard let combined = box.combined else { throw SealingError("cannot seal: no combined form") }
            var out = Data([Self.formatVersion])
            out.append(combined)
            return out
        } catch let error as SealingError {
            throw error
        } catch {
            throw SealingError("cannot seal personal data")
        }
    }

    public func open(_ sealed: Data, context: Data, naming what: String) throws(SealingError) -> Data {
        guard sealed.first == Self.formatVersion else {
            throw SealingError("\(what) has an unknown format")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return try AES.GCM.open(box, using: key, authenticating: context)
        } catch {
            throw SealingError("\(what) does not open: wrong seal key or damaged data")
        }
    }

    private static func associatedData(_ id: UUID) -> Data {
        Data(("kiosk.personal.v1:" + id.uuidString.lowercased()).utf8)
    }
}

