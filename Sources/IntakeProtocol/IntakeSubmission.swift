import Foundation
import KioskDomain

/// The JSON body of `POST /api/v1/submissions`: one resident's request as
/// the centre receives it (see `docs/intake-api.yaml`).
public struct IntakeSubmission: Codable, Sendable, Equatable {
    public struct Answer: Codable, Sendable, Equatable {
        public var question: String
        public var option: String
    }

    public struct Hardship: Codable, Sendable, Equatable {
        public var level: String
        public var reasons: [String]
        public var scores: [String: Int]
    }

    public struct ApplicantData: Codable, Sendable, Equatable {
        public var name: String
        public var phone: String
        public var residentId: String?
        public var street: String
        public var community: String
        public var addressDetail: String
        public var householdSize: Int
        /// True when the resident said yes to text messages; left out (no) otherwise, as older kiosks send.
        public var textMessages: Bool?

        /// Whether the centre may text this resident.
        public var mayText: Bool { textMessages == true }
    }

    public struct ConsentData: Codable, Sendable, Equatable {
        public var version: String
        public var givenAt: Date
    }

    public var submissionId: UUID
    public var receiptNumber: String
    public var kioskCode: String
    public var createdAt: Date
    public var language: String
    public var programme: String
    public var service: String
    public var answers: [Answer]
    public var hardship: Hardship
    public var applicant: ApplicantData
    public var description: String
    public var consent: ConsentData

    public init(_ submission: Submission) {
        let request = submission.request
        submissionId = submission.id
        receiptNumber = submission.receiptNumber.description
        kioskCode = submission.receiptNumber.kioskCode
        createdAt = submission.createdAt
        language = request.language.rawValue
        programme = request.programmeID
        service = request.serviceID
        answers = request.answers.map { Answer(question: $0.questionID, option: $0.optionID) }
        hardship = Hardship(level: request.triage.level.rawValue, reasons: request.triage.reasons.map(\.description),
                            scores: ["economic": request.triage.scores.economic, "social": request.triage.scores.social,
                                     "development": request.triage.scores.development])
        let applicant = request.applicant
        self.applicant = ApplicantData(name: applicant.name, phone: applicant.phone.digits,
                                       residentId: applicant.residentID?.value, street: applicant.street,
                                       community: applicant.community, addressDetail: applicant.addressDetail,
                                       householdSize: applicant.householdSize,
                                       textMessages: applicant.textMessages ? true : nil)
        description = request.description
        consent = ConsentData(version: request.consent.version, givenAt: request.consent.givenAt)
    }

    /// The body as sent: sorted keys and ISO 8601 times, so a resend of the
    /// same request is byte for byte the same and digests compare.
    public func encoded() throws -> Data {
        try Self.encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> IntakeSubmission {
        try decoder.decode(IntakeSubmission.self, from: data)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.wireMilliseconds)
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let milliseconds = try container.decode(Int64.self)
            // A time no kiosk can mean is malformed, so no later arithmetic on it can overflow.
            guard WireNumbers.millisecondRange.contains(milliseconds) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "time out of range")
            }
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        return decoder
    }()

    /// Longest identifier (programme, service, street, question, reason…) the
    /// protocol carries, and most answers a request can hold.
    public static let maxIdentifierCharacters = 64
    public static let maxAnswers = 50
    /// What one dimension's score may be: far beyond any assessment's sum of option scores.
    public static let scoreRange = -10_000...10_000

    /// Checks what the centre must be able to rely on, by the kiosk's own
    /// rules (the same validators): nil when all holds, else the problem
    /// (naming the field, never echoing its value). A kiosk that was tampered
    /// with must not be able to store what a kiosk could not.
    public func problem(headerKiosk: String, idempotencyKey: String, now: Date = Date()) -> String? {
        if submissionId.uuidString.lowercased() != idempotencyKey.lowercased() {
            return "Idempotency-Key does not match submissionId"
        }
        if kioskCode != headerKiosk { return "kioskCode does not match the Kiosk-Code header" }
        // Canonical form only: a receipt number in lower case or padded would be stored as another row.
        guard let receipt = try? ReceiptNumber(parsing: receiptNumber), receipt.kioskCode == kioskCode,
              receipt.description == receiptNumber
        else { return "receiptNumber is not a valid receipt number of this kiosk" }
        if HardshipLevel(rawValue: hardship.level) == nil { return "hardship.level must be red, yellow or green" }
        if Language(rawValue: language) == nil { return "language must be zh-Hans or en" }
        let free = [applicant.name, applicant.phone, applicant.addressDetail, description, applicant.residentId ?? ""]
        let identifiers = [programme, service, consent.version]
            + answers.flatMap { [$0.question, $0.option] } + Array(hardship.scores.keys)
        // Street and community may be empty: the resident was not sure (a community only within a known street).
        let area = [applicant.street, applicant.community]
        if (free + identifiers + area + hardship.reasons).contains(where: \.containsUnsafeScalars) {
            return "a text field contains control characters"
        }
        if identifiers.contains(where: { $0.isEmpty || $0.count > Self.maxIdentifierCharacters }) {
            return "an identifier is empty or longer than \(Self.maxIdentifierCharacters) characters"
        }
        if area.contains(where: { $0.count > Self.maxIdentifierCharacters }) {
            return "street or community is longer than \(Self.maxIdentifierCharacters) characters"
        }
        if applicant.street.isEmpty, !applicant.community.isEmpty {
            return "a community is given without its street"
        }
        // A reason names a question and an option: "emergency food=none-today".
        if hardship.reasons.contains(where: { $0.isEmpty || $0.count > 3 * Self.maxIdentifierCharacters }) {
            return "a hardship reason is empty or too long"
        }
        if answers.count > Self.maxAnswers || hardship.reasons.count > Self.maxAnswers || hardship.scores.count > 3 {
            return "too many answers, reasons or scores"
        }
        // Scores are added up where the case is shown: bounded, so the sum cannot overflow.
        if hardship.scores.values.contains(where: { !Self.scoreRange.contains($0) }) {
            return "a hardship score is outside \(Self.scoreRange.lowerBound) to \(Self.scoreRange.upperBound)"
        }
        for (text, rule, field) in [(applicant.name, TextRule.name, Field.name),
                                    (applicant.addressDetail, TextRule.addressDetail, Field.addressDetail),
                                    (description, TextRule.description, Field.description)] {
            guard let checked = try? rule.check(text, field: field), checked == text else {
                return "\(field.rawValue) breaks the kiosk's rules (required, length, surrounding spaces)"
            }
        }
        guard let phone = try? PhoneNumber(parsing: applicant.phone), phone.digits == applicant.phone else {
            return "applicant.phone is not a phone number as the kiosk writes one"
        }
        if let residentId = applicant.residentId {
            // The kiosk checked the birth date against its local date; a day's
            // grace over UTC covers any kiosk's time zone without knowing it.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = .gmt
            let parts = calendar.dateComponents([.year, .month, .day], from: now.addingTimeInterval(86_400))
            guard let parsed = try? ResidentID(parsing: residentId, today: (parts.year!, parts.month!, parts.day!)),
                  parsed.value == residentId
            else { return "applicant.residentId is not a valid resident identity card number" }
        }
        if !Applicant.householdSizes.contains(applicant.householdSize) { return "applicant.householdSize is out of range" }
        return nil
    }
}

/// What the centre answers to an accepted submission.
public struct IntakeReceipt: Codable, Sendable, Equatable {
    public var reference: String
    /// `RequestSigner.acknowledgement` over the submission id and the reference.
    public var acknowledgement: String

    public init(reference: String, acknowledgement: String) {
        self.reference = reference
        self.acknowledgement = acknowledgement
    }
}

/// An `application/problem+json` answer (RFC 9457).
public struct Problem: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?

    public init(status: Int, title: String, detail: String? = nil) {
        self.type = "about:blank"
        self.title = title
        self.status = status
        self.detail = detail
    }
}
