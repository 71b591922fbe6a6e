import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import KioskDomain
import Testing

/// A case's plan and the outcome of its visits in the store, on both
/// engines: three items of help (an adviser's and a partner's), each done or
/// not done once; items past their day and reviews due as the inbox's
/// follow-ups; the month's report counting families by their first and last visit.
@Suite struct PlanStoreTests {
    let day: TimeInterval = 86_400

    func answers(_ form: HomeVisitForm, _ chosen: [String: String]) -> [AssessmentAnswer] {
        form.questions.map { AssessmentAnswer(questionID: $0.id, optionID: chosen[$0.id] ?? $0.options[0].id) }
    }

    @Test(arguments: CenterBackend.allCases) func threeItemsArePlannedFollowedUpAndClosedOnce(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.addStaff("li.adviser", .adviser)
        let reference = try await centre.receive(sequence: 1, level: .yellow)
        try await centre.perform(.accept, on: reference)
        try await centre.perform(.recordContact(.reached), on: reference)
        try await centre.perform(.refer(partner: "charity-foundation", kind: .material, note: "", shareID: false), on: reference)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = centre.config.timeZone
        let store = centre.store, today = calendar.startOfDay(for: Date())  // the centre's day, not this machine's
        func add(_ kind: HelpKind, _ what: String, _ owner: PlanOwner, due: Date) async throws -> Int64 {
            try await store.addPlanItem(PlanItemInput(kind: kind, what: what, owner: owner, dueOn: due), on: reference,
                                        by: "li.adviser", role: .adviser)
        }
        let food = try await add(.material, "每月食品包", .referral("\(reference)-1"), due: today.addingTimeInterval(day))
        let jobs = try await add(.service, "陪同去就业服务站登记", .adviser("li.adviser"), due: today)
        let talk = try await add(.psychological, "每周一次电话关怀", .adviser("li.adviser"), due: today.addingTimeInterval(7 * day))

        // What an adviser cannot plan, each refused with its reason.
        await #expect(throws: WorkflowError(reason: .planWhatRequired)) {
            try await add(.service, "  ", .adviser("li.adviser"), due: today)
        }
        await #expect(throws: WorkflowError(reason: .planDueInPast)) {
            try await add(.service, "补办证件", .adviser("li.adviser"), due: today.addingTimeInterval(-day))
        }
        await #expect(throws: WorkflowError(reason: .unknownReferral)) {
            try await add(.material, "食品", .referral("\(reference)-9"), due: today)
        }
        await #expect(throws: WorkflowError(reason: .unknownStaff)) {
            try await add(.service, "补办证件", .adviser("nobody"), due: today)
        }
        await #expect(throws: WorkflowError(reason: .roleCannot)) {
            try await store.addPlanItem(PlanItemInput(kind: .service, what: "x", owner: .adviser("li.adviser"), dueOn: today),
                                        on: reference, by: "auditor", role: .auditor)
        }

        // Today nothing is overdue; two days on, the item due today and the partner's due tomorrow are.
        #expect(try await store.followUps().isEmpty)
        let later = Date().addingTimeInterval(2 * day)
        #expect(try await store.followUps(now: later).map(\.what) == [
            .planItem(id: jobs, kind: .service, owner: .adviser("li.adviser")),
            .planItem(id: food, kind: .material, owner: .referral("\(reference)-1")),
        ])

        try await store.closePlanItem(jobs, done: true, note: "", on: reference, by: "li.adviser", role: .adviser)
        await #expect(throws: WorkflowError(reason: .planNoteRequired)) {
            try await store.closePlanItem(food, done: false, note: "", on: reference, by: "li.adviser", role: .adviser)
        }
        try await store.closePlanItem(food, done: false, note: "居民已搬去女儿家", on: reference, by: "li.adviser", role: .adviser)
        await #expect(throws: WorkflowError(reason: .planItemClosed)) {
            try await store.closePlanItem(jobs, done: false, note: "x", on: reference, by: "li.adviser", role: .adviser)
        }
        await #expect(throws: WorkflowError(reason: .unknownPlanItem)) {
            try await store.closePlanItem(9_999, done: true, note: "", on: reference, by: "li.adviser", role: .adviser)
        }
        #expect(try await store.followUps(now: later).isEmpty)

        let detail = try #require(try await store.caseDetail(reference, viewer: "li.adviser"))
        #expect(detail.plan.map(\.id) == [food, jobs, talk])
        #expect(detail.plan.map(\.state) == [.notDone, .done, .open])
        #expect(detail.plan[0].owner == .referral("\(reference)-1") && detail.plan[0].referralState == .requested)
        #expect(detail.plan[0].note == "居民已搬去女儿家" && detail.plan[1].what == "陪同去就业服务站登记")
        #expect(detail.plan[1].closedBy == "li.adviser" && detail.plan[2].closedAt == nil)
        #expect(detail.plan[2].isOverdue(today: today.addingTimeInterval(8 * day)))
        #expect(detail.timeline.suffix(5).map(\.action) == ["plan_item", "plan_item", "plan_item", "plan_done", "plan_not_done"])
        #expect(detail.timeline.last?.note == "居民已搬去女儿家")

        // The access log has each step and the kind, never the words.
        let log = try await store.auditEntries().map { "\($0.action) \($0.detail ?? "")" }
        #expect(log.contains("plan_item material") && log.contains("plan_done service") && log.contains("plan_not_done material"))
        #expect(!log.joined().contains("食品包") && !log.joined().contains("女儿"))

        // A review visit due is a follow-up too; retention erases the plan's words and keeps its codes.
        try await store.recordVisit(VisitInput(visitedOn: Date().addingTimeInterval(-100 * day), met: "居民",
                                               answers: answers(centre.config.homeVisit, ["income": "below", "expenses": "heavy"]),
                                               note: ""), on: reference, expectedVersion: 0, by: "li.adviser", role: .adviser,
                                    form: centre.config.homeVisit)
        #expect(try await store.followUps().map(\.what) == [.review])
        try await store.perform(.cancel(.residentWithdrew, note: "居民已搬走"), onReferral: "\(reference)-1", by: "li.adviser",
                                as: .caseworker(.adviser))
        try await centre.perform(.close(.helped, note: "已帮助"), on: reference, now: Date().addingTimeInterval(-400 * day))
        #expect(try await store.followUps().isEmpty, "a closed case asks nothing")
        #expect(try await store.eraseClosedCases(closedBefore: Date().addingTimeInterval(-365 * day), actor: "test") == 1)
        let erased = try #require(try await store.caseDetail(reference, viewer: "test"))
        #expect(erased.plan.allSatisfy { $0.what == nil && $0.note == nil } && erased.plan.map(\.kind) == [.material, .service, .psychological])
    }

    @Test(arguments: CenterBackend.allCases) func theReportCountsFamiliesByTheirFirstAndLastVisit(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.addStaff("li.adviser", .adviser)
        let store = centre.store, form = centre.config.homeVisit
        let yellow = answers(form, ["income": "below", "expenses": "heavy"])  // economic 6, weighted 12
        let red = answers(form, ["income": "none", "expenses": "crushing", "ties": "alone"])  // 20 + 4
        let green = answers(form, [:])
        func visit(_ reference: String, _ answers: [AssessmentAnswer], decide approve: Bool? = nil) async throws {
            let version = try #require(try await store.caseDetail(reference, viewer: "test")).version
            try await store.recordVisit(VisitInput(visitedOn: Date(), met: "居民", answers: answers, note: ""), on: reference,
                                        expectedVersion: version, by: "li.adviser", role: .adviser, form: form)
            if let approve {
                try await store.decideVisit(approve: approve, note: approve ? "" : "再核实", on: reference, by: "zhao.super",
                                            role: .supervisor, form: form)
            }
        }
        // Better: yellow, then green (approved). Better too: red (approved), then yellow (approved).
        let better = try await centre.receive(sequence: 1, level: .yellow)
        try await visit(better, yellow)
        try await visit(better, green, decide: true)
        let alsoBetter = try await centre.receive(sequence: 2, level: .yellow)
        try await visit(alsoBetter, red, decide: true)
        try await visit(alsoBetter, yellow, decide: true)
        // One counted visit only (the second's level was sent back): not compared.
        let once = try await centre.receive(sequence: 3, level: .yellow)
        try await visit(once, yellow)
        try await visit(once, red, decide: false)
        // Still open: not yet evaluated.
        let open = try await centre.receive(sequence: 4, level: .yellow)
        try await visit(open, yellow)
        try await visit(open, green, decide: true)
        for reference in [better, alsoBetter, once] {
            try await centre.perform(.close(.helped, note: "已帮助"), on: reference)
        }

        let report = try await store.report(month: String(LocalMonth.now(centre.config.timeZone)))
        let group = try #require(report.homeVisits.first)
        #expect(report.homeVisits.count == 1 && group.families == 2 && group.movedDown == 2 && group.movedUp == 0)
        #expect(group.medianChange == [.economic: -10, .social: -2, .development: 0])
        #expect(group.street == "nanjing-west")
    }
}
