import Foundation
import KioskDomain
import KioskStore
import Testing
import TestSupport

/// A resident not sure of their street or community still reaches the
/// real centre: the kiosk lets them say so, so the centre must take it.
@Suite(.serialized) struct UnsureAddressTests {
    @Test func aRequestWithoutStreetOrCommunityIsTakenByTheCentre() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"))
        let context = kiosk.configuration.validationContext(now: Date())
        for (street, community) in [("", ""), ("nanjing-west", "")] {
            let answers = kiosk.configuration.assessment.questions.map {
                AssessmentAnswer(questionID: $0.id, optionID: $0.options[0].id)
            }
            let draft = SubmissionDraft(
                language: .chinese, programmeID: "elderly-wellbeing", serviceID: "meal-assistance", answers: answers,
                name: "王小明", phone: "13800138000", residentID: "", street: street, community: community,
                addressDetail: "武定路 1 号", householdSize: 1, description: "",
                consentVersion: kiosk.configuration.texts.consent.version, consentedAt: Date())
            _ = try kiosk.store.submit(try draft.validate(in: context))
        }
        #expect(try await kiosk.forwardUntilDrained(timeout: 30))
        let setAside = try kiosk.store.records(in: .dead).map { $0.deadReason ?? "" }
        #expect(try kiosk.store.queueSummary()[.forwarded] == 2 && setAside.isEmpty, "set aside: \(setAside)")
    }
}
