import CentreConfig
import Foundation
import KioskDomain

/// A home visit's answers scored with the form: the level, why, each
/// dimension's weighted score, and how it moved against the visit before.
public struct VisitAssessment: Sendable, Equatable {
    public var triage: Triage
    /// Weighted score per dimension against the previous visit's (or none), largest change first.
    public var movement: [DimensionMove]

    public var level: HardshipLevel { triage.level }
    /// The dimension that moved the level most, when there is a previous visit and it moved.
    public var movedMost: KioskDomain.Dimension? { movement.first { $0.change != 0 }?.dimension }
}

public struct DimensionMove: Sendable, Equatable {
    public var dimension: KioskDomain.Dimension
    public var score: Int
    public var change: Int
}

public enum HomeVisitScoring {
    /// Every question of the form answered once, with one of its options;
    /// nothing else. Why not, in words for the page.
    public static func check(_ answers: [AssessmentAnswer], form: HomeVisitForm) throws(WorkflowError) {
        var seen = Set<String>()
        for answer in answers {
            guard let question = form.questions.first(where: { $0.id == answer.questionID }),
                  question.option(answer.optionID) != nil, seen.insert(answer.questionID).inserted
            else { throw WorkflowError(reason: .visitAnswerUnknown) }
        }
        let missing = form.questions.filter { !seen.contains($0.id) }.count
        if missing > 0 { throw WorkflowError(reason: .visitIncomplete(missing)) }
    }

    /// The level these answers give (the kiosk's own pure triage over the
    /// weighted form), and each dimension against `previous`.
    public static func assess(_ answers: [AssessmentAnswer], form: HomeVisitForm,
                              previous: DimensionScores? = nil) -> VisitAssessment {
        let triage = form.weighted.triage(answers)
        let moves = KioskDomain.Dimension.allCases.map { dimension in
            DimensionMove(dimension: dimension, score: triage.scores[dimension],
                          change: previous.map { triage.scores[dimension] - $0[dimension] } ?? 0)
        }
        return VisitAssessment(triage: triage, movement: moves.sorted {
            abs($0.change) != abs($1.change) ? abs($0.change) > abs($1.change) : $0.score > $1.score
        })
    }

    /// When a family at `level` is next visited, counted from `visit`.
    public static func nextReview(after visit: Date, level: HardshipLevel, form: HomeVisitForm) -> Date {
        visit.addingTimeInterval(Double(form.reviewDays[level] ?? 90) * 86_400)
    }
}
