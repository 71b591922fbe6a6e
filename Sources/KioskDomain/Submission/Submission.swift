import Foundation

/// What the front collected, as typed: nothing checked yet.
public struct SubmissionDraft: Sendable, Hashable {
    public var id: UUID
    public var language: Language
    public var programmeID: String
    public var serviceID: String
    public var answers: [AssessmentAnswer]
    public var name: String
    public var phone: String
    public var residentID: String
    public var street: String
    public var community: String
    public var addressDetail: String
    public var householdSize: Int
    public var description: String
    public var consentVersion: String?
    public var consentedAt: Date?
    /// Yes or no to text messages about the request; nil until asked (only after a mobile number).
    public var textMessages: Bool?

    public init(id: UUID = UUID(), language: Language = .default, programmeID: String = "", serviceID: String = "",
                answers: [AssessmentAnswer] = [], name: String = "", phone: String = "", residentID: String = "",
                street: String = "", community: String = "", addressDetail: String = "", householdSize: Int = 1,
                description: String = "", consentVersion: String? = nil, consentedAt: Date? = nil,
                textMessages: Bool? = nil) {
        self.id = id
        self.language = language
        self.programmeID = programmeID
        self.serviceID = serviceID
        self.answers = answers
        self.name = name
        self.phone = phone
        self.residentID = residentID
        self.street = street
        self.community = community
        self.addressDetail = addressDetail
        self.householdSize = householdSize
        self.description = description
        self.consentVersion = consentVersion
        self.consentedAt = consentedAt
        self.textMessages = textMessages
    }
}

/// The district facts a draft is checked against.
public struct ValidationContext: Sendable {
    public var catalog: Catalog
    public var assessment: Assessment
    /// Street code → community codes in it.
    public var communities: [String: Set<String>]
    public var today: (year: Int, month: Int, day: Int)

    public init(catalog: Catalog, assessment: Assessment, communities: [String: Set<String>],
                today: (year: Int, month: Int, day: Int)) {
        self.catalog = catalog
        self.assessment = assessment
        self.communities = communities
        self.today = today
    }
}

/// A request that passed every rule, triaged, ready to be stored. Only
/// `SubmissionDraft.validate` makes one.
public struct ValidatedRequest: Sendable, Hashable, Codable {
    public var id: UUID
    public var language: Language
    public var programmeID: String
    public var serviceID: String
    public var answers: [AssessmentAnswer]
    public var triage: Triage
    public var applicant: Applicant
    public var description: String
    public var consent: Consent

    public init(id: UUID, language: Language, programmeID: String, serviceID: String, answers: [AssessmentAnswer],
                triage: Triage, applicant: Applicant, description: String, consent: Consent) {
        self.id = id
        self.language = language
        self.programmeID = programmeID
        self.serviceID = serviceID
        self.answers = answers
        self.triage = triage
        self.applicant = applicant
        self.description = description
        self.consent = consent
    }
}

extension SubmissionDraft {
    /// Checks every field; returns the request or every broken rule at once,
    /// in the order the front asks for the fields.
    public func validate(in context: ValidationContext) throws(ValidationFailure) -> ValidatedRequest {
        var errors: [ValidationError] = []
        func check<T>(_ body: () throws(ValidationError) -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }

        if context.catalog.programme(programmeID) == nil {
            errors.append(ValidationError(.programme, .unknownChoice))
        } else if context.catalog.service(serviceID, in: programmeID) == nil {
            errors.append(ValidationError(.service, .unknownChoice))
        }
        var seen = Set<String>()
        for answer in answers {
            guard context.assessment.question(answer.questionID)?.option(answer.optionID) != nil,
                  seen.insert(answer.questionID).inserted
            else { errors.append(ValidationError(.answers, .unknownChoice)); break }
        }
        if errors.allSatisfy({ $0.field != .answers }), seen.count != context.assessment.questions.count {
            errors.append(ValidationError(.answers, .notAnswered))
        }

        let name = check { () throws(ValidationError) in try TextRule.name.check(self.name, field: .name) }
        let phone = check { () throws(ValidationError) in try PhoneNumber(parsing: self.phone) }
        let residentID: ResidentID?? = residentID.trimmingWhitespace().isEmpty ? .some(nil)
            : check { () throws(ValidationError) in try ResidentID(parsing: self.residentID, today: context.today) }
        // Empty is "not sure": a resident unsure of their community, or of
        // their street (and so of its community), still asks for help.
        if street.isEmpty {
            if !community.isEmpty { errors.append(ValidationError(.community, .unknownChoice)) }
        } else if let communities = context.communities[street] {
            if !community.isEmpty, !communities.contains(community) {
                errors.append(ValidationError(.community, .unknownChoice))
            }
        } else {
            errors.append(ValidationError(.street, .unknownChoice))
        }
        let detail = check { () throws(ValidationError) in
            try TextRule.addressDetail.check(self.addressDetail, field: .addressDetail)
        }
        if !Applicant.householdSizes.contains(householdSize) {
            errors.append(ValidationError(.householdSize, .outOfRange(Applicant.householdSizes)))
        }
        let description = check { () throws(ValidationError) in
            try TextRule.description.check(self.description, field: .description)
        }
        if consentVersion == nil || consentedAt == nil { errors.append(ValidationError(.consent, .required)) }

        guard errors.isEmpty, let name, let phone, let residentID, let detail, let description,
              let consentVersion, let consentedAt
        else { throw ValidationFailure(errors: errors) }

        let applicant = Applicant(name: name, phone: phone, residentID: residentID, street: street,
                                  community: community, addressDetail: detail, householdSize: householdSize,
                                  textMessages: textMessages == true)
        return ValidatedRequest(
            id: id, language: language, programmeID: programmeID, serviceID: serviceID, answers: answers,
            triage: context.assessment.triage(answers), applicant: applicant, description: description,
            consent: Consent(version: consentVersion, givenAt: consentedAt))
    }
}

/// A request as the kiosk stored it: the validated request plus the receipt
/// number and time the store gave it in the same transaction.
public struct Submission: Sendable, Hashable, Codable {
    public var request: ValidatedRequest
    public var receiptNumber: ReceiptNumber
    public var createdAt: Date

    public init(request: ValidatedRequest, receiptNumber: ReceiptNumber, createdAt: Date) {
        self.request = request
        self.receiptNumber = receiptNumber
        self.createdAt = createdAt
    }

    public var id: UUID { request.id }
}
