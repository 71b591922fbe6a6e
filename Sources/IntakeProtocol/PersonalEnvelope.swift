import Crypto
import Foundation
import KioskDomain

/// Sealing a resident's personal data to the centre's public key.
///
/// The kiosk seals with HPKE (RFC 9180, base mode: X25519, HKDF-SHA256,
/// ChaCha20-Poly1305) to the centre's intake key and stores only the
/// envelope, so nothing on the kiosk, its disk or its keys can open what it
/// holds; the forwarder sends the envelope as it is and the centre opens it.
/// The request's plain columns (`PlainHeader`) are the associated data: a
/// database edit that changes a request's level, programme, service or
/// receipt number makes it fail to open at the centre instead of being
/// triaged as edited.
public enum PersonalEnvelope {
    /// Envelope layout: this byte, the key id (8), the encapsulated key (32), ciphertext and tag.
    public static let format: UInt8 = 2
    /// The first byte of what kiosks before this version sealed with their own symmetric key.
    public static let legacyFormat: UInt8 = 1
    static let info = Data("help-kiosk personal data v2".utf8)
    static var suite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }

    public static func seal(_ plaintext: Data, to key: CentrePublicKey, header: PlainHeader) throws(SealingError) -> Data {
        try Prepared(to: key).seal(plaintext, header: header)
    }

    /// The costly half of sealing done ahead (a fresh ephemeral key pair and
    /// its agreement with the centre's key, about two thirds of the work), so
    /// the front can prepare the next envelope while a resident types and
    /// only encrypt when they submit. Seals one message, once.
    public struct Prepared: @unchecked Sendable {
        // @unchecked: HPKE.Sender is a value type not marked Sendable; each
        // Prepared is handed from one owner to the next, never shared.
        private var sender: HPKE.Sender
        private let keyID: Data

        public init(to key: CentrePublicKey) throws(SealingError) {
            do {
                sender = try HPKE.Sender(recipientKey: key.key, ciphersuite: PersonalEnvelope.suite, info: PersonalEnvelope.info)
            } catch {
                throw SealingError("cannot prepare sealing to the centre's key")
            }
            keyID = key.keyID
        }

        public consuming func seal(_ plaintext: Data, header: PlainHeader) throws(SealingError) -> Data {
            do {
                let ciphertext = try sender.seal(plaintext, authenticating: header.associatedData)
                var out = Data([PersonalEnvelope.format])
                out.append(keyID)
                out.append(sender.encapsulatedKey)
                out.append(ciphertext)
                return out
            } catch {
                throw SealingError("cannot seal personal data to the centre's key")
            }
        }
    }

    public static func open(_ sealed: Data, with key: CentrePrivateKey, header: PlainHeader) throws(SealingError) -> Data {
        let bytes = Array(sealed)
        guard bytes.count > 1 + 8 + 32, bytes[0] == format else {
            throw SealingError("the personal data is not in a sealed form this centre knows")
        }
        guard Data(bytes[1..<9]) == key.keyID else {
            throw SealingError("the personal data was sealed to another centre key (key id \(bytes[1..<9].hexString), "
                               + "this centre's is \(key.keyID.hexString))")
        }
        do {
            var recipient = try HPKE.Recipient(privateKey: key.key, ciphersuite: suite, info: info,
                                               encapsulatedKey: Data(bytes[9..<41]))
            return try recipient.open(Data(bytes[41...]), authenticating: header.associatedData)
        } catch {
            throw SealingError("the personal data does not open: damaged, or a plain field (level, programme, service, "
                               + "receipt number, times) was changed after sealing")
        }
    }
}

/// What a kiosk stores and sends in the clear beside the envelope, bound to
/// it as associated data.
public struct PlainHeader: Sendable, Equatable {
    public var submissionID: UUID
    public var receiptNumber: String
    public var kioskCode: String
    public var createdAtMilliseconds: Int64
    public var language: String
    public var programme: String
    public var service: String
    public var hardship: String
    public var consentVersion: String
    public var consentedAtMilliseconds: Int64

    public init(submissionID: UUID, receiptNumber: String, kioskCode: String, createdAtMilliseconds: Int64,
                language: String, programme: String, service: String, hardship: String, consentVersion: String,
                consentedAtMilliseconds: Int64) {
        self.submissionID = submissionID
        self.receiptNumber = receiptNumber
        self.kioskCode = kioskCode
        self.createdAtMilliseconds = createdAtMilliseconds
        self.language = language
        self.programme = programme
        self.service = service
        self.hardship = hardship
        self.consentVersion = consentVersion
        self.consentedAtMilliseconds = consentedAtMilliseconds
    }

    /// Each field with its length in front, so no value can shift another's boundary.
    var associatedData: Data {
        var data = Data("help-kiosk plain v2\n".utf8)
        data.reserveCapacity(256)
        for field in [submissionID.uuidString.lowercased(), receiptNumber, kioskCode, String(createdAtMilliseconds),
                      language, programme, service, hardship, consentVersion, String(consentedAtMilliseconds)] {
            data.append(contentsOf: String(field.utf8.count).utf8)
            data.append(0x3A) // ":"
            data.append(contentsOf: field.utf8)
            data.append(0x0A)
        }
        return data
    }
}

/// The centre's intake public key (X25519): all a kiosk needs to seal.
/// Written as `x25519:` and the key's 32 bytes in base64.
public struct CentrePublicKey: Sendable, Equatable, CustomStringConvertible {
    public let rawRepresentation: Data

    public init(rawRepresentation: Data) throws(SealingError) {
        guard rawRepresentation.count == 32,
              (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: rawRepresentation)) != nil
        else { throw SealingError("a centre public key is 32 bytes") }
        self.rawRepresentation = rawRepresentation
    }

    /// The public half of a private key (valid by construction).
    init(derived key: Curve25519.KeyAgreement.PublicKey) {
        rawRepresentation = key.rawRepresentation
    }

    /// Parses `x25519:<base64>` (white space ignored), as `kiosk-center` prints it.
    public init(text: String) throws(SealingError) {
        let compact = text.filter { !$0.isWhitespace }
        guard compact.hasPrefix("x25519:"), let raw = Data(base64Encoded: String(compact.dropFirst(7))) else {
            throw SealingError("a centre public key is written `x25519:` then 44 characters of base64, "
                               + "as `kiosk-center credentials public-key` prints it")
        }
        try self.init(rawRepresentation: raw)
    }

    public var description: String { "x25519:" + rawRepresentation.base64EncodedString() }

    /// Names the key in each envelope: the first 8 bytes of its SHA-256.
    public var keyID: Data { Data(SHA256.hash(data: rawRepresentation).prefix(8)) }

    var key: Curve25519.KeyAgreement.PublicKey {
        // Checked in init.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: rawRepresentation)
    }
}

/// The centre's intake private key: opens what kiosks sealed. Only the
/// centre's intake service holds it.
public struct CentrePrivateKey: Sendable {
    private let raw: [UInt8]
    /// Worked out once: each envelope opened compares its key id, and an
    /// X25519 base multiplication per request cost a few per cent of the centre's intake CPU.
    public let publicKey: CentrePublicKey
    let keyID: Data

    public init(rawBytes: [UInt8]) throws(SealingError) {
        guard rawBytes.count == 32, let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: rawBytes) else {
            throw SealingError("a centre private key is 32 bytes")
        }
        raw = rawBytes
        publicKey = CentrePublicKey(derived: key.publicKey)
        keyID = publicKey.keyID
    }

    var key: Curve25519.KeyAgreement.PrivateKey {
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
    }

    /// A new private key's 32 bytes.
    public static func generate() -> [UInt8] {
        Array(Curve25519.KeyAgreement.PrivateKey().rawRepresentation)
    }
}

/// Why sealed personal data could not be sealed or opened.
public struct SealingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
