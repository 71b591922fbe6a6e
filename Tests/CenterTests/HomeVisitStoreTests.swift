import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import KioskDomain
import Testing

/// Home visits in the store, on both engines: a visit that keeps the level is
/// kept and sets the review; one that changes it waits for a supervisor, whose
/// approval moves the case's level and deadline; two visits from the same view
/// of a case never overwrite each other.
@Suite struct HomeVisitStoreTests {
    func answers(_ form: HomeVisitForm, _ chosen: [String: String]) -> [AssessmentAnswer] {
        form.questions.map { AssessmentAnswer(questionID: $0.id, optionID: chosen[$0.id] ?? $0.options[0].id) }
    }

    @Test(arguments: CenterBackend.allCases) func aVisitThatTurnsAYellowCaseRedWaitsForApprovalThenMovesTheCase(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.addStaff("li.adviser", .adviser)
        try await centre.addStaff("wang.adviser", .adviser)
        try await centre.addStaff("zhao.super", .supervisor)
        let form = centre.config.homeVisit
        let received = Date().addingTimeInterval(-3600)
        let reference = try await centre.receive(sequence: 1, level: .yellow, receivedAt: received)
        try await centre.perform(.accept, on: reference)
        let opened = try #require(try await centre.store.caseDetail(reference, viewer: "li.adviser"))
        #expect(opened.version == 0 && opened.visits.isEmpty)

        // Two advisers opened the case at version 0: the first visit lands, the second is refused, not merged.
        let day = Date()
        let first = VisitInput(visitedOn: day, met: "居民和女儿", answers: answers(form, ["income": "below", "expenses": "heavy"]),
                               note: "房租已拖欠两个月")
        let kept = try await centre.store.recordVisit(first, on: reference, expectedVersion: 0, by: "li.adviser", role: .adviser,
                                                      form: form)
        #expect(kept.state == .recorded && kept.assessment.level == .yellow)
        let second = VisitInput(visitedOn: day, met: "居民", answers: answers(form, ["income": "none", "expenses": "crushing",
                                                                                   "ties": "alone"]), note: "")
        await #expect(throws: WorkflowError(reason: .caseChanged)) {
            try await centre.store.recordVisit(second, on: reference, expectedVersion: 0, by: "wang.adviser", role: .adviser,
                                               form: form)
        }
        let afterFirst = try #require(try await centre.store.caseDetail(reference, viewer: "wang.adviser"))
        #expect(afterFirst.version == 1 && afterFirst.visits.count == 1 && afterFirst.visits[0].input == first)
        #expect(afterFirst.nextReviewAt?.isWithinAMillisecond(of: day.addingTimeInterval(90 * 86_400)) == true)

        // Seen again, the second visit is recorded: red, so it waits for the supervisor.
        let red = try await centre.store.recordVisit(second, on: reference, expectedVersion: 1, by: "wang.adviser",
                                                     role: .adviser, form: form)
        #expect(red.state == .pending && red.assessment.level == .red && red.assessment.movedMost == .economic)
        #expect(try await centre.store.pendingVisits().map(\.caseReference) == [reference])
        await #expect(throws: WorkflowError(reason: .visitAwaitingApproval)) {
            try await centre.store.recordVisit(first, on: reference, expectedVersion: 2, by: "li.adviser", role: .adviser,
                                               form: form)
        }
        #expect(try await centre.store.caseDetail(reference, viewer: "test")?.level == .yellow, "not before approval")
        await #expect(throws: WorkflowError(reason: .roleCannot)) {
            try await centre.store.decideVisit(approve: true, note: "", on: reference, by: "li.adviser", role: .adviser, form: form)
        }
        await #expect(throws: WorkflowError(reason: .noteRequired)) {
            try await centre.store.decideVisit(approve: false, note: " ", on: reference, by: "zhao.super", role: .supervisor, form: form)
        }
        let approvedAt = Date()
        try await centre.store.decideVisit(approve: true, note: "", on: reference, by: "zhao.super", role: .supervisor, form: form,
                                           now: approvedAt)
        let approved = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(approved.level == .red && approved.visits.map(\.state) == [.recorded, .approved])
        #expect(approved.dueAt.isWithinAMillisecond(of: approvedAt.addingTimeInterval(4 * 3600)),
                "not yet contacted: the red deadline, counted from the approval")
        #expect(approved.nextReviewAt?.isWithinAMillisecond(of: day.addingTimeInterval(30 * 86_400)) == true)
        #expect(approved.timeline.suffix(3).map(\.action) == ["visit", "visit", "visit_approved"])
        let inbox = try await centre.store.inbox(InboxFilter(), pageSize: 10)
        #expect(inbox.rows.first?.reference == reference && inbox.rows.first?.level == .red)
        #expect(try await centre.store.pendingVisits().isEmpty)
        await #expect(throws: WorkflowError(reason: .noPendingVisit)) {
            try await centre.store.decideVisit(approve: true, note: "", on: reference, by: "zhao.super", role: .supervisor, form: form)
        }

        // The access log has each step, never the answers' words or the note.
        let log = try await centre.store.auditEntries().map { "\($0.action) \($0.detail ?? "")" }
        #expect(log.contains("visit yellow>red pending") && log.contains("visit_approved yellow>red"))
        #expect(!log.joined().contains("房租") && !log.joined().contains("女儿"))

        // Retention erases the visits' records, keeps the scores.
        try await centre.perform(.close(.helped, note: "已帮助"), on: reference, now: Date().addingTimeInterval(-400 * 86_400))
        #expect(try await centre.store.eraseClosedCases(closedBefore: Date().addingTimeInterval(-365 * 86_400), actor: "test") == 1)
        let erased = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(erased.visits.allSatisfy { $0.input == nil } && erased.visits[1].scores.total == 24)
    }

    @Test(arguments: CenterBackend.allCases) func aSentBackVisitLeavesTheLevelAndAnIncompleteOneIsRefused(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.addStaff("li.adviser", .adviser)
        let form = centre.config.homeVisit
        let reference = try await centre.receive(sequence: 1, level: .red)
        let green = VisitInput(visitedOn: Date(), met: "居民", answers: answers(form, [:]), note: "情况已好转")
        await #expect(throws: WorkflowError(reason: .visitIncomplete(1))) {
            try await centre.store.recordVisit(VisitInput(visitedOn: Date(), met: "", answers: Array(green.answers.dropFirst()),
                                                          note: ""), on: reference, expectedVersion: 0, by: "li.adviser",
                                               role: .adviser, form: form)
        }
        let made = try await centre.store.recordVisit(green, on: reference, expectedVersion: 0, by: "li.adviser", role: .adviser,
                                                      form: form)
        #expect(made.state == .pending && made.assessment.level == .green)
        try await centre.store.decideVisit(approve: false, note: "请再核实收入情况", on: reference, by: "zhao.super",
                                           role: .supervisor, form: form)
        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(detail.level == .red && detail.visits.first?.state == .sentBack)
        #expect(detail.visits.first?.decisionNote == "请再核实收入情况" && detail.version == 2)
    }
}

extension Date {
    /// The same instant as the store keeps it (whole milliseconds).
    func isWithinAMillisecond(of other: Date) -> Bool { abs(timeIntervalSince(other)) < 0.001 }
}
