import Foundation
import KioskDomain

/// The body a kiosk sends to `POST /api/v1/submissions`: the request's plain
/// fields and its personal data sealed to the centre's public key
/// (`PersonalEnvelope`), exactly as the kiosk stored them. Only the centre
/// can turn it into an `IntakeSubmission`.
public struct SealedSubmission: Codable, Sendable, Equatable {
    public static let currentFormat = "sealed-v1"

    public var format: String
    public var submissionId: UUID
    public var receiptNumber: String
    public var kioskCode: String
    public var createdAt: Date
    public var language: String
    public var programme: String
    public var service: String
    public var hardship: String
    public var consent: IntakeSubmission.ConsentData
    /// The envelope (base64 in JSON).
    public var personal: Data

    public init(header: PlainHeader, personal: Data) {
        format = Self.currentFormat
        submissionId = header.submissionID
        receiptNumber = header.receiptNumber
        kioskCode = header.kioskCode
        createdAt = Date(timeIntervalSince1970: Double(header.createdAtMilliseconds) / 1000)
        language = header.language
        programme = header.programme
        service = header.service
        hardship = header.hardship
        consent = IntakeSubmission.ConsentData(
            version: header.consentVersion,
            givenAt: Date(timeIntervalSince1970: Double(header.consentedAtMilliseconds) / 1000))
        self.personal = personal
    }

    public var header: PlainHeader {
        func milliseconds(_ date: Date) -> Int64 { date.wireMilliseconds }
        return PlainHeader(submissionID: submissionId, receiptNumber: receiptNumber, kioskCode: kioskCode,
                           createdAtMilliseconds: milliseconds(createdAt), language: language, programme: programme,
                           service: service, hardship: hardship, consentVersion: consent.version,
                           consentedAtMilliseconds: milliseconds(consent.givenAt))
    }

    /// Sorted keys and millisecond times, like `IntakeSubmission`: a resend is byte for byte the same.
    public func encoded() throws -> Data { try IntakeSubmission.encoder.encode(self) }

    /// Opens the envelope with the centre's key and rebuilds the request.
    public func opened(with key: CentrePrivateKey) throws(SealingError) -> Submission {
        let personal = try PersonalData(decoding: try PersonalEnvelope.open(self.personal, with: key, header: header))
        guard let language = Language(rawValue: language), let level = HardshipLevel(rawValue: hardship),
              let receipt = try? ReceiptNumber(parsing: receiptNumber)
        else { throw SealingError("the plain fields hold values this version does not know") }
        let request = ValidatedRequest(
            id: submissionId, language: language, programmeID: programme, serviceID: service,
            answers: personal.answers,
            triage: Triage(level: level, reasons: personal.triageReasons, scores: personal.scores),
            applicant: personal.applicant, description: personal.description,
            consent: Consent(version: consent.version, givenAt: consent.givenAt))
        return Submission(request: request, receiptNumber: receipt, createdAt: createdAt)
    }
}

/// Reads a submission body in either form kiosks send: sealed (this
/// version) or plain (kiosks not yet upgraded, and bundles they exported).
public enum IntakeBody {
    public enum Failure: Error, Sendable, Equatable {
        /// Not a submission in JSON (400).
        case malformed
        /// A sealed body whose envelope does not open (422): the reason, without personal data.
        case sealing(String)
    }

    public static func decode(_ body: Data, intakeKey: CentrePrivateKey) throws(Failure) -> IntakeSubmission {
        struct Probe: Decodable { var format: String? }
        guard let probe = try? IntakeSubmission.decoder.decode(Probe.self, from: body) else { throw .malformed }
        switch probe.format {
        case nil:
            guard let plain = try? IntakeSubmission.decode(body) else { throw .malformed }
            return plain
        case SealedSubmission.currentFormat?:
            guard let sealed = try? IntakeSubmission.decoder.decode(SealedSubmission.self, from: body) else {
                throw .malformed
            }
            return try open(sealed, intakeKey: intakeKey)
        default:
            throw .malformed
        }
    }

    /// A sealed submission (alone or one of a batch), opened and rebuilt.
    public static func open(_ sealed: SealedSubmission, intakeKey: CentrePrivateKey) throws(Failure) -> IntakeSubmission {
        do {
            return IntakeSubmission(try sealed.opened(with: intakeKey))
        } catch {
            throw .sealing(error.description)
        }
    }
}
