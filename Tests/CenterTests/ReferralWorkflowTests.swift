import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import KioskDomain
import TestSupport
import Testing

/// The pure referral rules: who may move a referral where, what an answer
/// must carry, and how its case follows (closing waits for open referrals).
@Suite struct ReferralWorkflowTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let foundation = ReferralActor.partner(id: "charity-foundation")

    func change(_ action: ReferralAction, _ state: ReferralState, by actor: ReferralActor? = nil)
        throws(WorkflowError) -> ReferralChange {
        try ReferralWorkflow.change(action, state: state, partner: "charity-foundation", actor: actor ?? foundation, now: now)
    }

    @Test func theUsualPathOpenAcceptStartComplete() throws {
        #expect(try change(.open, .requested).to == .received)
        #expect(try change(.open, .accepted).to == .accepted, "opening again changes nothing")
        let accepted = try change(.accept, .received)
        #expect(accepted.to == .accepted && accepted.answers)
        #expect(try change(.start, .accepted).to == .inProgress)
        let done = try change(.complete(Delivery(kind: .material, what: "  食品包 ", on: now, amountCents: 30_000)), .inProgress)
        #expect(done.to == .completed && done.delivery?.what == "食品包" && done.detail == "material" && !done.answers)
    }

    @Test func everyMoveTheRulesMakeIsALegalMoveAndTheSchemaListsTheSame() throws {
        let delivery = Delivery(kind: .service, what: "法律咨询", on: now)
        let actions: [(ReferralAction, ReferralActor)] = [
            (.open, foundation), (.accept, foundation), (.decline(.noCapacity, note: ""), foundation), (.start, foundation),
            (.complete(delivery), foundation), (.cancel(.residentWithdrew, note: "居民来电撤回"), .caseworker(.adviser)),
        ]
        var made = Set<String>()
        for state in ReferralState.allCases {
            for (action, actor) in actions {
                guard let result = try? change(action, state, by: actor), result.from != result.to else { continue }
                #expect(ReferralState.isLegal(from: result.from, to: result.to), "\(state) \(action)")
                made.insert("\(result.from.rawValue)>\(result.to.rawValue)")
            }
        }
        #expect(made == ReferralState.legalMoves, "every legal move is reachable by some action")
        let schema = Set(SharedSchema.referralMoves.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        })
        #expect(schema == ReferralState.legalMoves)
    }

    @Test func onlyThePartnerAnswersAndOnlyTheCentreCancels() {
        #expect(throws: WorkflowError(reason: .unknownReferral)) { try change(.accept, .received, by: .partner(id: "education")) }
        #expect(throws: WorkflowError(reason: .roleCannot)) { try change(.accept, .received, by: .caseworker(.adviser)) }
        #expect(throws: WorkflowError(reason: .roleCannot)) { try change(.cancel(.other, note: "x"), .received) }
        #expect(throws: WorkflowError(reason: .roleCannot)) {
            try change(.cancel(.other, note: "x"), .received, by: .caseworker(.auditor))
        }
    }

    @Test func finalStatesTakeNothingAndOrderIsKept() {
        for state in ReferralState.final {
            #expect(throws: WorkflowError(reason: .referralClosed(state))) { try change(.accept, state) }
        }
        #expect(throws: WorkflowError(reason: .referralNotAllowed(.received))) { try change(.start, .received) }
        #expect(throws: WorkflowError(reason: .referralNotAllowed(.accepted))) { try change(.accept, .accepted) }
        #expect(throws: WorkflowError(reason: .referralNotAllowed(.inProgress))) {
            try change(.decline(.noCapacity, note: ""), .inProgress)
        }
    }

    @Test func anAnswerCarriesWhatTheAdviserNeeds() {
        #expect(throws: WorkflowError(reason: .noteRequired)) { try change(.decline(.other, note: " "), .received) }
        #expect(throws: WorkflowError(reason: .noteRequired)) {
            try change(.cancel(.wrongPartner, note: ""), .received, by: .caseworker(.adviser))
        }
        #expect(throws: WorkflowError(reason: .deliveryRequired)) {
            try change(.complete(Delivery(kind: .material, what: "  ", on: now)), .accepted)
        }
        #expect(throws: WorkflowError(reason: .amountOutOfRange)) {
            try change(.complete(Delivery(kind: .service, what: "陪诊", on: now, amountCents: 100)), .accepted)
        }
        #expect(throws: WorkflowError(reason: .amountOutOfRange)) {
            try change(.complete(Delivery(kind: .material, what: "救助金", on: now, amountCents: -1)), .accepted)
        }
        #expect(throws: WorkflowError(reason: .deliveredInFuture)) {
            try change(.complete(Delivery(kind: .material, what: "食品包", on: now.addingTimeInterval(3 * 86_400))), .accepted)
        }
        #expect(throws: WorkflowError(reason: .noteTooLong(500))) {
            try change(.decline(.noCapacity, note: String(repeating: "字", count: 501)), .received)
        }
    }

    @Test func aNewReferralFitsThePartner() throws {
        let config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        let education = config.partner("education")
        #expect(throws: WorkflowError(reason: .unknownPartner)) {
            try ReferralWorkflow.checkNew(partner: nil, kind: .material, programme: "children-youth", note: "",
                                          openToSamePartnerAndKind: false)
        }
        #expect(throws: WorkflowError(reason: .partnerDoesNotHelp(.psychological))) {
            try ReferralWorkflow.checkNew(partner: education, kind: .psychological, programme: "children-youth", note: "",
                                          openToSamePartnerAndKind: false)
        }
        #expect(throws: WorkflowError(reason: .partnerDoesNotTakeProgramme)) {
            try ReferralWorkflow.checkNew(partner: education, kind: .material, programme: "elderly-wellbeing", note: "",
                                          openToSamePartnerAndKind: false)
        }
        #expect(throws: WorkflowError(reason: .alreadyReferred)) {
            try ReferralWorkflow.checkNew(partner: education, kind: .material, programme: "children-youth", note: "",
                                          openToSamePartnerAndKind: true)
        }
        try ReferralWorkflow.checkNew(partner: education, kind: .material, programme: "children-youth", note: "学费减免",
                                      openToSamePartnerAndKind: false)
    }

    @Test func aCaseWithAnOpenReferralIsNotClosedAndReferralConfirmedNeedsACompletedOne() throws {
        func close(_ outcome: CaseOutcome, open: Int, completed: Int) throws(WorkflowError) -> CaseChange {
            try CaseWorkflow.change(.close(outcome, note: "已处理"),
                                    on: CaseSnapshot(state: .referred, assignee: "li", unansweredAttempts: 0,
                                                     openReferrals: open, completedReferrals: completed),
                                    actor: "li", role: .adviser, rules: .standard, staffCanTakeCases: { _ in true },
                                    partnerExists: { _ in true })
        }
        #expect(throws: WorkflowError(reason: .openReferrals(2))) { try close(.helped, open: 2, completed: 0) }
        #expect(throws: WorkflowError(reason: .noCompletedReferral)) { try close(.referredConfirmed, open: 0, completed: 0) }
        #expect(try close(.referredConfirmed, open: 0, completed: 1).outcome == .referredConfirmed)
        #expect(try close(.helped, open: 0, completed: 0).to == .closed)
    }

    @Test func theAnswerDeadlineCountsWorkingDaysInTheCentresZone() throws {
        let config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        let foundation = try #require(config.partner("charity-foundation"))
        #expect(foundation.answerWithinWorkingDays == 3 && foundation.phone == "021-6279 0000")
        // Friday 2026-12-04 10:00 in Shanghai → Wednesday 2026-12-09 10:00.
        let friday = Date(timeIntervalSince1970: 1_796_349_600)
        #expect(foundation.answerDue(from: friday, timeZone: config.timeZone) == friday.addingTimeInterval(5 * 86_400))
    }
}
