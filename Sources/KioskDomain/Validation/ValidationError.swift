/// A field of the request a resident fills in; errors name it so the front can
/// show the message under the right field.
public enum Field: String, Sendable, Codable, CaseIterable, Hashable {
    case programme, service, answers
    case name, phone, residentID, street, community, addressDetail, householdSize
    case description
    case consent
}

/// A broken rule, with what the front needs to say so in either language.
/// Never carries the offending value: errors end up in logs.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Rule: Sendable, Hashable {
        case required
        case tooLong(maxCharacters: Int)
        case tooManyBytes(maxBytes: Int)
        case controlCharacters
        case phoneFormat
        case residentIDFormat
        case residentIDBirthDate
        case residentIDChecksum
        case outOfRange(ClosedRange<Int>)
        case unknownChoice
        case notAnswered
    }

    public var field: Field
    public var rule: Rule

    public init(_ field: Field, _ rule: Rule) {
        self.field = field
        self.rule = rule
    }

    public var description: String {
        let what: String
        switch rule {
        case .required: what = "is required"
        case let .tooLong(max): what = "is longer than \(max) characters"
        case let .tooManyBytes(max): what = "is longer than \(max) bytes"
        case .controlCharacters: what = "contains control characters"
        case .phoneFormat: what = "is not a mainland mobile or landline number"
        case .residentIDFormat: what = "is not 17 digits followed by a digit or X"
        case .residentIDBirthDate: what = "does not hold a real birth date"
        case .residentIDChecksum: what = "has a wrong check digit"
        case let .outOfRange(range): what = "is not between \(range.lowerBound) and \(range.upperBound)"
        case .unknownChoice: what = "names a choice the catalog does not have"
        case .notAnswered: what = "leaves a question unanswered"
        }
        return "\(field.rawValue) \(what)"
    }
}

/// Every rule a draft broke, in field order.
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [ValidationError]

    public init(errors: [ValidationError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "; ") }
}
