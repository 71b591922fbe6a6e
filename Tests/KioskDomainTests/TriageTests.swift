import Foundation
import Testing
@testable import KioskDomain

/// A small assessment with the shape of the district's: thresholds 6 and 12,
/// one emergency option.
let sampleAssessment = Assessment(
    questions: [
        AssessmentQuestion(id: "food", prompt: LocalizedText(chinese: "吃", english: "food"), options: [
            AssessmentOption(id: "enough", label: LocalizedText(chinese: "够", english: "enough"), scores: .zero),
            AssessmentOption(id: "low", label: LocalizedText(chinese: "少", english: "low"),
                             scores: DimensionScores(economic: 4)),
            AssessmentOption(id: "none-today", label: LocalizedText(chinese: "无", english: "none"),
                             scores: DimensionScores(economic: 1), isEmergency: true),
        ]),
        AssessmentQuestion(id: "support", prompt: LocalizedText(chinese: "帮", english: "support"), options: [
            AssessmentOption(id: "yes", label: LocalizedText(chinese: "有", english: "yes"), scores: .zero),
            AssessmentOption(id: "none", label: LocalizedText(chinese: "无", english: "none"),
                             scores: DimensionScores(social: 4, development: 4)),
        ]),
    ],
    thresholds: HardshipThresholds(yellowAt: 6, redAt: 12))

@Suite struct TriageTests {
    func answers(_ food: String, _ support: String) -> [AssessmentAnswer] {
        [AssessmentAnswer(questionID: "food", optionID: food), AssessmentAnswer(questionID: "support", optionID: support)]
    }

    @Test func lowScoresAreGreen() {
        let triage = sampleAssessment.triage(answers("enough", "yes"))
        #expect(triage.level == .green)
        #expect(triage.reasons == [.belowThresholds(total: 0)])
    }

    @Test func yellowAtItsThreshold() {
        let triage = sampleAssessment.triage(answers("enough", "none"))
        #expect(triage.level == .yellow)
        #expect(triage.scores == DimensionScores(economic: 0, social: 4, development: 4))
        #expect(triage.reasons == [.score(total: 8, threshold: 6, level: .yellow)])
    }

    @Test func redAtItsThreshold() {
        let triage = sampleAssessment.triage(answers("low", "none"))
        #expect(triage.level == .red)
        #expect(triage.reasons == [.score(total: 12, threshold: 12, level: .red)])
        #expect(!triage.isEmergency)
    }

    @Test func anEmergencyAnswerForcesRedWhateverTheScore() {
        let triage = sampleAssessment.triage(answers("none-today", "yes"))
        #expect(triage.level == .red)
        #expect(triage.isEmergency)
        #expect(triage.reasons.first == .emergency(question: "food", option: "none-today"))
        #expect(triage.reasons.last == .belowThresholds(total: 1))
    }

    @Test func unknownAnswersScoreNothing() {
        let triage = sampleAssessment.triage([AssessmentAnswer(questionID: "food", optionID: "made-up")])
        #expect(triage.level == .green)
    }
}

@Suite struct DraftValidationTests {
    let context = ValidationContext(
        catalog: Catalog(programmes: [Programme(id: "elderly", name: LocalizedText(chinese: "老", english: "old"),
                                                services: [Service(id: "meals", programmeID: "elderly",
                                                                   name: LocalizedText(chinese: "餐", english: "meals"),
                                                                   kind: .material)])]),
        assessment: sampleAssessment,
        communities: ["nanjing-west": ["wuding"]],
        today: (2026, 11, 29))

    func draft() -> SubmissionDraft {
        SubmissionDraft(programmeID: "elderly", serviceID: "meals",
                        answers: [AssessmentAnswer(questionID: "food", optionID: "none-today"),
                                  AssessmentAnswer(questionID: "support", optionID: "yes")],
                        name: "王小明", phone: "13800138000", residentID: "", street: "nanjing-west",
                        community: "wuding", addressDetail: "武定路 1 号", householdSize: 2,
                        description: "", consentVersion: "2026-11-01", consentedAt: Date())
    }

    @Test func aCompleteDraftValidatesAndIsTriaged() throws {
        let request = try draft().validate(in: context)
        #expect(request.triage.level == .red)
        #expect(request.applicant.residentID == nil)
        #expect(request.applicant.phone.kind == .mobile)
    }

    @Test func everyBrokenRuleIsReportedAtOnce() {
        var bad = draft()
        bad.serviceID = "nothing"
        bad.answers.removeLast()
        bad.name = "王\u{1B}[2J"
        bad.phone = "1380013800O"
        bad.residentID = "110105194912310021"
        bad.community = "elsewhere"
        bad.householdSize = 0
        bad.consentVersion = nil
        #expect(throws: ValidationFailure(errors: [
            ValidationError(.service, .unknownChoice),
            ValidationError(.answers, .notAnswered),
            ValidationError(.name, .controlCharacters),
            ValidationError(.phone, .phoneFormat),
            ValidationError(.residentID, .residentIDChecksum),
            ValidationError(.community, .unknownChoice),
            ValidationError(.householdSize, .outOfRange(1...20)),
            ValidationError(.consent, .required),
        ])) { try bad.validate(in: context) }
    }

    @Test func errorDescriptionsNeverCarryTheValue() {
        var bad = draft()
        bad.phone = "secret-13800138000"
        do {
            _ = try bad.validate(in: context)
            Issue.record("expected a failure")
        } catch {
            #expect(!error.description.contains("13800138000"))
            #expect(error.description.contains("phone"))
        }
    }
}
