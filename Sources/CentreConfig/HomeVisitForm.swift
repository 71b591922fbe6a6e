import Foundation
import KioskDomain

/// The home-visit assessment form (《家庭访视评估表》, `home-visit.yaml`): the
/// three dimensions (经济要素、社会要素、发展要素), each a section of questions
/// whose options carry scores, a weight per dimension, thresholds that sort
/// the weighted total into red, yellow or green (an emergency answer makes it
/// red), and how soon a family at each level is visited again.
public struct HomeVisitForm: Sendable, Hashable {
    public struct Section: Sendable, Hashable {
        public var dimension: KioskDomain.Dimension
        public var name: LocalizedText
        public var questions: [AssessmentQuestion]
    }

    /// Kept with every visit: a visit is read with the form it was made with.
    public var version: String
    public var name: LocalizedText
    public var sections: [Section]
    /// Each dimension's score counts this many times in the total.
    public var weights: [KioskDomain.Dimension: Int]
    public var thresholds: HardshipThresholds
    /// Days from a visit to the next review, by the level it left.
    public var reviewDays: [HardshipLevel: Int]

    /// The form as the kiosk's assessment is written: its questions with each
    /// option's scores already weighted, so the same pure `triage` scores a
    /// visit as it scores a kiosk's request.
    public var weighted: Assessment {
        func weigh(_ scores: DimensionScores) -> DimensionScores {
            DimensionScores(economic: scores.economic * (weights[.economic] ?? 1),
                            social: scores.social * (weights[.social] ?? 1),
                            development: scores.development * (weights[.development] ?? 1))
        }
        return Assessment(questions: sections.flatMap(\.questions).map { question in
            AssessmentQuestion(id: question.id, prompt: question.prompt, options: question.options.map {
                AssessmentOption(id: $0.id, label: $0.label, scores: weigh($0.scores), isEmergency: $0.isEmergency)
            })
        }, thresholds: thresholds)
    }

    public var questions: [AssessmentQuestion] { sections.flatMap(\.questions) }
}
