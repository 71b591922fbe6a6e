import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain
import TestSupport
import Testing

/// The home-visit form as data and its pure scoring: the shipped form's
/// thresholds at their edges, weights, emergencies, completeness, and which
/// dimension moved a family against the visit before.
@Suite struct HomeVisitScoringTests {
    let form: HomeVisitForm

    init() throws {
        form = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config")).homeVisit
    }

    /// Every question answered with its first (unscored) option, except `chosen`.
    func answers(_ chosen: [String: String]) -> [AssessmentAnswer] {
        form.questions.map { AssessmentAnswer(questionID: $0.id, optionID: chosen[$0.id] ?? $0.options[0].id) }
    }

    @Test func theShippedFormHasThreeWeightedSectionsAndReviewDays() {
        #expect(form.sections.map(\.dimension) == [.economic, .social, .development])
        #expect(form.weights[.economic] == 2 && form.thresholds == HardshipThresholds(yellowAt: 12, redAt: 24))
        #expect(form.reviewDays == [.red: 30, .yellow: 90, .green: 180] && form.version == "home-visit-v1")
        #expect(HomeVisitScoring.assess(answers([:]), form: form).level == .green)
    }

    @Test func eachThresholdAtItsEdgeWithTheEconomicWeightCountingTwice() {
        let cases: [([String: String], Int, HardshipLevel)] = [
            (["income": "up-to-double", "ties": "distant", "safety": "strained", "schooling": "struggling"], 11, .green),
            (["income": "below", "expenses": "heavy"], 12, .yellow),
            (["income": "none", "expenses": "crushing", "schooling": "struggling"], 23, .yellow),
            (["income": "none", "expenses": "crushing", "ties": "alone"], 24, .red),
        ]
        for (chosen, total, level) in cases {
            let assessed = HomeVisitScoring.assess(answers(chosen), form: form)
            #expect(assessed.triage.scores.total == total && assessed.level == level, "\(chosen)")
        }
    }

    @Test func anEmergencyAnswerMakesTheFamilyRedWhateverTheTotal() {
        let assessed = HomeVisitScoring.assess(answers(["safety": "violence"]), form: form)
        #expect(assessed.level == .red && assessed.triage.isEmergency && assessed.triage.scores.total < 24)
    }

    @Test func aVisitAnswersEveryQuestionOnceWithItsOwnOptions() throws {
        try HomeVisitScoring.check(answers([:]), form: form)
        #expect(throws: WorkflowError(reason: .visitIncomplete(1))) { try HomeVisitScoring.check(Array(answers([:]).dropLast()), form: form) }
        #expect(throws: WorkflowError(reason: .visitAnswerUnknown)) {
            try HomeVisitScoring.check(answers(["income": "lottery"]), form: form)
        }
        #expect(throws: WorkflowError(reason: .visitAnswerUnknown)) {
            try HomeVisitScoring.check(answers([:]) + [AssessmentAnswer(questionID: "income", optionID: "none")], form: form)
        }
    }

    @Test func theDimensionThatMovedTheFamilyMostComesFirst() {
        let before = HomeVisitScoring.assess(answers(["income": "below", "expenses": "heavy"]), form: form)
        let after = HomeVisitScoring.assess(answers(["income": "below", "expenses": "heavy", "health": "no-carer"]), form: form,
                                            previous: before.triage.scores)
        #expect(after.movedMost == .social && after.movement.first?.change == 6)
        #expect(after.level == .red, "no carer for someone who needs care is an emergency")
        #expect(HomeVisitScoring.assess(answers([:]), form: form).movedMost == nil, "a first visit moved nothing")
        let day = Date(timeIntervalSince1970: 1_796_349_600)
        #expect(HomeVisitScoring.nextReview(after: day, level: .red, form: form) == day.addingTimeInterval(30 * 86_400))
    }

    @Test func aBrokenFormIsNamedByFileAndLine() throws {
        let folder = try temporaryFolder("home-visit-config")
        for name in CenterConfigurationLoader.fileNames {
            let source = repositoryRoot.appendingPathComponent("center-config/\(name)").resolvingSymlinksInPath()
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(name))
        }
        try """
            form: {version: v2, name: {zh-Hans: 表, en: Form}}
            weights: {economic: 9}
            thresholds: {yellow_at: 5, red_at: 50}
            reviews: {red: 30, yellow: 90}
            sections:
              - dimension: money
                name: {zh-Hans: 钱, en: Money}
                questions:
                  - id: income
                    prompt: {zh-Hans: 收入, en: Income}
                    options:
                      - {id: ok, label: {zh-Hans: 好, en: Fine}}
                      - {id: low, label: {zh-Hans: 低, en: Low}, scores: {economic: 4}}
            """.write(to: folder.appendingPathComponent("home-visit.yaml"), atomically: true, encoding: .utf8)
        var problems = ""
        do { _ = try CenterConfigurationLoader.load(from: folder) } catch { problems = "\(error)" }
        for expected in ["home-visit.yaml:2: weights.economic must be between 1 and 5, not 9",
                         "home-visit.yaml:4: reviews: missing 'green'",
                         "home-visit.yaml:6: section.dimension 'money' is not one of economic, social, development"] {
            #expect(problems.contains(expected), "\(expected)\n\(problems)")
        }
    }
}
