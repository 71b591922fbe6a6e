/// The three dimensions of the needs assessment (经济要素、社会要素、发展要素).
public enum Dimension: String, Sendable, Codable, CaseIterable, Hashable {
    case economic, social, development
}

/// Points per dimension; options carry them and assessments sum them.
public struct DimensionScores: Sendable, Codable, Hashable {
    public var economic: Int
    public var social: Int
    public var development: Int

    public init(economic: Int = 0, social: Int = 0, development: Int = 0) {
        self.economic = economic
        self.social = social
        self.development = development
    }

    public static let zero = DimensionScores()

    public var total: Int { economic + social + development }

    public subscript(dimension: Dimension) -> Int {
        switch dimension {
        case .economic: economic
        case .social: social
        case .development: development
        }
    }

    public static func + (lhs: DimensionScores, rhs: DimensionScores) -> DimensionScores {
        DimensionScores(economic: lhs.economic + rhs.economic,
                        social: lhs.social + rhs.social,
                        development: lhs.development + rhs.development)
    }
}

/// One answer a question offers.
public struct AssessmentOption: Sendable, Hashable {
    public var id: String
    public var label: LocalizedText
    public var scores: DimensionScores
    /// Choosing it shows the hotline numbers at once and makes the request red.
    public var isEmergency: Bool

    public init(id: String, label: LocalizedText, scores: DimensionScores, isEmergency: Bool = false) {
        self.id = id
        self.label = label
        self.scores = scores
        self.isEmergency = isEmergency
    }
}

/// One needs-assessment question with a single choice among its options.
public struct AssessmentQuestion: Sendable, Hashable {
    public var id: String
    public var prompt: LocalizedText
    public var options: [AssessmentOption]

    public init(id: String, prompt: LocalizedText, options: [AssessmentOption]) {
        self.id = id
        self.prompt = prompt
        self.options = options
    }

    public func option(_ id: String) -> AssessmentOption? {
        options.first { $0.id == id }
    }
}

/// Total-score thresholds: `red` at or above `redAt`, `yellow` at or above
/// `yellowAt`, green below. Configuration keeps `0 < yellowAt <= redAt`.
public struct HardshipThresholds: Sendable, Hashable {
    public var yellowAt: Int
    public var redAt: Int

    public init(yellowAt: Int, redAt: Int) {
        self.yellowAt = yellowAt
        self.redAt = redAt
    }
}

/// The district's assessment: its questions and the thresholds that sort scores.
public struct Assessment: Sendable, Hashable {
    public var questions: [AssessmentQuestion]
    public var thresholds: HardshipThresholds

    public init(questions: [AssessmentQuestion], thresholds: HardshipThresholds) {
        self.questions = questions
        self.thresholds = thresholds
    }

    public func question(_ id: String) -> AssessmentQuestion? {
        questions.first { $0.id == id }
    }
}

/// A resident's choice for one question, by ids (stable across text edits).
public struct AssessmentAnswer: Sendable, Codable, Hashable {
    public var questionID: String
    public var optionID: String

    public init(questionID: String, optionID: String) {
        self.questionID = questionID
        self.optionID = optionID
    }

    enum CodingKeys: String, CodingKey {
        case questionID = "question"
        case optionID = "option"
    }
}
