import CentreConfig
import CentreWorkflow
import Foundation
import Testing

/// The pure rules: which action may move a case where, and for whom.
@Suite struct CaseWorkflowTests {
    let rules = CaseRules(unreachableAfterAttempts: 3)

    func change(_ action: CaseAction, _ state: CaseState, role: StaffRole = .adviser, actor: String = "li",
                attempts: Int = 0) throws(WorkflowError) -> CaseChange {
        try CaseWorkflow.change(action, on: CaseSnapshot(state: state, assignee: nil, unansweredAttempts: attempts),
                                actor: actor, role: role, rules: rules,
                                staffCanTakeCases: { ["li", "wang"].contains($0) }, partnerExists: { $0 == "education" })
    }

    @Test func theUsualPathAcceptAssignContactReferServeClose() throws {
        #expect(try change(.accept, .new).to == .accepted)
        #expect(try change(.assign(to: "li"), .accepted).to == .assigned)
        #expect(try change(.recordContact(.reached), .assigned).to == .contacted)
        #expect(try change(.refer(partner: "education", kind: .material, note: "", shareID: false), .contacted).to == .referred)
        #expect(try change(.startService, .referred).to == .inService)
        let closed = try change(.close(.helped, note: "送餐已安排"), .inService)
        #expect(closed.to == .closed && closed.outcome == .helped)
    }

    @Test func everyMoveTheRulesMakeIsALegalMove() throws {
        let actions: [CaseAction] = [.accept, .assign(to: "li"), .recordContact(.reached), .recordContact(.noAnswer),
                                     .refer(partner: "education", kind: .material, note: "", shareID: false), .startService, .close(.helped, note: "送餐已安排"),
                                     .close(.unreachable, note: "三次未接通"), .markDuplicate(of: "C00000001")]
        for state in CaseState.allCases {
            for action in actions {
                guard let made = try? change(action, state, role: .supervisor, attempts: 5) else { continue }
                #expect(made.from == made.to || CaseState.isLegal(from: made.from, to: made.to), "\(state) \(action)")
            }
        }
    }

    @Test func aClosedCaseTakesNoAction() {
        for action in [CaseAction.accept, .assign(to: "li"), .recordContact(.reached), .close(.helped, note: "送餐已安排")] {
            #expect(throws: WorkflowError(reason: .closed)) { try change(action, .closed) }
        }
    }

    @Test func contactAndReferralWaitForAcceptance() {
        #expect(throws: WorkflowError(reason: .notAllowed(.new))) { try change(.recordContact(.reached), .new) }
        #expect(throws: WorkflowError(reason: .notAllowed(.new))) { try change(.startService, .new) }
    }

    @Test func anUnansweredCallKeepsTheStateAndIsCounted() throws {
        let made = try change(.recordContact(.noAnswer), .assigned)
        #expect(made.to == .assigned && made.contact == .noAnswer)
    }

    @Test func unreachableOnlyAfterEnoughUnansweredAttempts() throws {
        #expect(throws: WorkflowError(reason: .tooFewAttempts(3))) { try change(.close(.unreachable, note: "三次未接通"), .assigned, attempts: 2) }
        #expect(try change(.close(.unreachable, note: "三次未接通"), .assigned, attempts: 3).outcome == .unreachable)
    }

    @Test func onlyASupervisorAssignsToSomeoneElse() throws {
        #expect(throws: WorkflowError(reason: .assignOthers)) { try change(.assign(to: "wang"), .accepted, actor: "li") }
        #expect(try change(.assign(to: "wang"), .accepted, role: .supervisor, actor: "zhao").assignee == "wang")
        #expect(throws: WorkflowError(reason: .unknownStaff)) {
            try change(.assign(to: "nobody"), .accepted, role: .supervisor, actor: "zhao")
        }
    }

    @Test func anAuditorCannotActAndAnUnknownPartnerIsRefused() {
        #expect(throws: WorkflowError(reason: .roleCannot)) { try change(.accept, .new, role: .auditor) }
        #expect(throws: WorkflowError(reason: .unknownPartner)) { try change(.refer(partner: "nowhere", kind: .material, note: "", shareID: false), .accepted) }
    }

    @Test func closingNeedsAShortNote() {
        #expect(throws: WorkflowError(reason: .noteRequired)) { try change(.close(.helped, note: "  "), .contacted) }
        #expect(throws: WorkflowError(reason: .noteTooLong(500))) {
            try change(.close(.helped, note: String(repeating: "字", count: 501)), .contacted)
        }
    }

    @Test func aDuplicateClosesWithItsOriginal() throws {
        let made = try change(.markDuplicate(of: "C00000007"), .new)
        #expect(made.to == .closed && made.outcome == .duplicate && made.duplicateOf == "C00000007")
    }

    @Test func workingDayDeadlinesSkipTheWeekend() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let deadlines = FirstContactDeadlines.standard
        // Friday 2026-11-27 16:00 in Shanghai → yellow (1 working day) due Monday 16:00.
        let friday = Date(timeIntervalSince1970: 1_795_766_400)
        let due = deadlines.due(level: .yellow, from: friday, timeZone: shanghai)
        #expect(due.timeIntervalSince(friday) == 3 * 86400)
        #expect(deadlines.due(level: .red, from: friday, timeZone: shanghai).timeIntervalSince(friday) == 4 * 3600)
    }
}
