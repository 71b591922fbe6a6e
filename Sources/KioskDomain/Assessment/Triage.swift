/// Why a request got its hardship level; staff see these beside the level.
public enum TriageReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// An answer marked emergency (no food today, no safe place tonight, risk of harm).
    case emergency(question: String, option: String)
    /// The summed score reached a threshold.
    case score(total: Int, threshold: Int, level: HardshipLevel)
    /// The summed score stayed below the yellow threshold.
    case belowThresholds(total: Int)

    public var description: String {
        switch self {
        case let .emergency(question, option): "emergency \(question)=\(option)"
        case let .score(total, threshold, level): "score \(total) >= \(threshold) (\(level.rawValue))"
        case let .belowThresholds(total): "score \(total) below thresholds"
        }
    }
}

/// The outcome of scoring: a level, the reasons that produced it, and the
/// per-dimension scores it was computed from.
public struct Triage: Sendable, Hashable, Codable {
    public var level: HardshipLevel
    public var reasons: [TriageReason]
    public var scores: DimensionScores

    public init(level: HardshipLevel, reasons: [TriageReason], scores: DimensionScores) {
        self.level = level
        self.reasons = reasons
        self.scores = scores
    }

    public var isEmergency: Bool {
        reasons.contains { if case .emergency = $0 { true } else { false } }
    }
}

extension Assessment {
    /// Scores answers into a hardship level. Pure: same answers, same triage.
    ///
    /// Any emergency answer forces red whatever the total; otherwise the total
    /// over all three dimensions is compared with the thresholds. Answers that
    /// name unknown questions or options are ignored here; `validate` reports them.
    public func triage(_ answers: [AssessmentAnswer]) -> Triage {
        var scores = DimensionScores.zero
        var emergencies: [TriageReason] = []
        for answer in answers {
            guard let option = question(answer.questionID)?.option(answer.optionID) else { continue }
            scores = scores + option.scores
            if option.isEmergency {
                emergencies.append(.emergency(question: answer.questionID, option: answer.optionID))
            }
        }
        let total = scores.total
        let byScore: TriageReason
        let scoreLevel: HardshipLevel
        if total >= thresholds.redAt {
            scoreLevel = .red
            byScore = .score(total: total, threshold: thresholds.redAt, level: .red)
        } else if total >= thresholds.yellowAt {
            scoreLevel = .yellow
            byScore = .score(total: total, threshold: thresholds.yellowAt, level: .yellow)
        } else {
            scoreLevel = .green
            byScore = .belowThresholds(total: total)
        }
        let level: HardshipLevel = emergencies.isEmpty ? scoreLevel : .red
        return Triage(level: level, reasons: emergencies + [byScore], scores: scores)
    }
}
