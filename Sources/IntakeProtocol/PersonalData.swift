import Foundation
import KioskDomain

/// The sealed part of a request: everything that says who the resident is or
/// what they are going through.
///
/// Sealed on the kiosk to the centre's public key (`PersonalEnvelope`) and
/// opened only at the centre. Encoded as `key<TAB>value` lines after a version line. Validation refuses
/// control characters in every resident-typed value, so tab and newline
/// cannot occur inside one; the encoder checks anyway. A hand-written format
/// because Foundation's JSONEncoder cost more than the fsync on the submit path.
public struct PersonalData: Equatable, Sendable {
    public var applicant: Applicant
    public var description: String
    public var answers: [AssessmentAnswer]
    public var triageReasons: [TriageReason]
    public var scores: DimensionScores

    public static let version = "personal-v1"

    public func encoded() throws(SealingError) -> Data {
        var text = Self.version + "\n"
        func field(_ key: String, _ value: String) throws(SealingError) {
            if value.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A }) {
                throw SealingError("personal data field \(key) holds a control character")
            }
            text += key + "\t" + value + "\n"
        }
        try field("name", applicant.name)
        try field("phone", applicant.phone.digits)
        if let id = applicant.residentID { try field("resident-id", id.value) }
        try field("street", applicant.street)
        try field("community", applicant.community)
        try field("address", applicant.addressDetail)
        try field("household", String(applicant.householdSize))
        if applicant.textMessages { try field("text-messages", "yes") }
        try field("description", description)
        for answer in answers { try field("answer", answer.questionID + " " + answer.optionID) }
        for reason in triageReasons {
            switch reason {
            case let .emergency(question, option): try field("reason", "emergency \(question) \(option)")
            case let .score(total, threshold, level): try field("reason", "score \(total) \(threshold) \(level.rawValue)")
            case let .belowThresholds(total): try field("reason", "below \(total)")
            }
        }
        try field("scores", "\(scores.economic) \(scores.social) \(scores.development)")
        return Data(text.utf8)
    }

    public init(applicant: Applicant, description: String, answers: [AssessmentAnswer], triageReasons: [TriageReason],
         scores: DimensionScores) {
        self.applicant = applicant
        self.description = description
        self.answers = answers
        self.triageReasons = triageReasons
        self.scores = scores
    }

    public init(decoding data: Data) throws(SealingError) {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(Self.version) else { throw SealingError("sealed personal data has an unknown layout") }
        var single: [String: String] = [:]
        var answers: [AssessmentAnswer] = []
        var reasons: [TriageReason] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let tab = line.firstIndex(of: "\t") else { throw SealingError("sealed personal data is malformed") }
            let key = String(line[..<tab]), value = String(line[line.index(after: tab)...])
            let words = value.split(separator: " ").map(String.init)
            switch key {
            case "answer" where words.count == 2:
                answers.append(AssessmentAnswer(questionID: words[0], optionID: words[1]))
            case "reason":
                switch (words.first, words.count) {
                case ("emergency", 3): reasons.append(.emergency(question: words[1], option: words[2]))
                case ("score", 4):
                    guard let total = Int(words[1]), let threshold = Int(words[2]),
                          let level = HardshipLevel(rawValue: words[3])
                    else { throw SealingError("sealed triage reason is malformed") }
                    reasons.append(.score(total: total, threshold: threshold, level: level))
                case ("below", 2):
                    guard let total = Int(words[1]) else { throw SealingError("sealed triage reason is malformed") }
                    reasons.append(.belowThresholds(total: total))
                default: throw SealingError("sealed triage reason is malformed")
                }
            default: single[key] = value
            }
        }
        let scoreWords = (single["scores"] ?? "").split(separator: " ").compactMap { Int($0) }
        guard let name = single["name"], let phoneText = single["phone"], let street = single["street"],
              let community = single["community"], let address = single["address"],
              let household = single["household"].flatMap({ Int($0) }), let description = single["description"],
              scoreWords.count == 3,
              let phone = try? PhoneNumber(parsing: phoneText)
        else { throw SealingError("sealed personal data is incomplete") }
        // The ID number was checked at submission; only its shape is checked again.
        let residentID = try single["resident-id"].map { text throws(SealingError) in
            guard let id = try? ResidentID(parsing: text, today: (9999, 12, 31)) else {
                throw SealingError("sealed resident ID is malformed")
            }
            return id
        }
        self.init(applicant: Applicant(name: name, phone: phone, residentID: residentID, street: street,
                                       community: community, addressDetail: address, householdSize: household,
                                       textMessages: single["text-messages"] == "yes"),
                  description: description, answers: answers, triageReasons: reasons,
                  scores: DimensionScores(economic: scoreWords[0], social: scoreWords[1], development: scoreWords[2]))
    }
}
