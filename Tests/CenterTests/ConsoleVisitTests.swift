import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import Hummingbird
import HummingbirdTesting
import KioskDomain
import Testing

/// Home visits through the console over HTTP, on each backend: the form's
/// "work out the level" stores nothing, a visit that turns a yellow case red
/// waits for the supervisor, a second visit from a stale page is refused and
/// says why, and the approval puts the case at the top of the red inbox.
@Suite struct ConsoleVisitTests {
    @Test(arguments: CenterBackend.allCases) func aVisitThatTurnsAYellowCaseRedIsApprovedFromTheSupervisorsInbox(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).aVisitThatTurnsAYellowCaseRedIsApprovedFromTheSupervisorsInbox()
    }
}

extension ConsoleDriver {
    func aVisitThatTurnsAYellowCaseRedIsApprovedFromTheSupervisorsInbox() async throws {
        _ = try await centre.receive(sequence: 1, level: .red)
        let reference = try await centre.receive(sequence: 2, level: .yellow)
        let form = centre.config.homeVisit
        let chosen = ["income": "none", "expenses": "crushing", "ties": "alone"]
        let answers = Dictionary(uniqueKeysWithValues: form.questions.map {
            ("q.\($0.id)", chosen[$0.id] ?? $0.options[0].id)
        })
        try await app.test(.router) { client in
            let adviser = try await client.signIn("li.adviser", CenterFixture.password)
            let page = try await client.get("/cases/\(reference)", adviser)
            #expect(page.text.contains("家庭访视评估表") && page.text.contains("name=\"q.income\"") && page.text.contains("经济要素"))
            let version = try #require(page.text.firstMatch(of: /name="version" value="(\d+)"/).map { String($0.1) })

            let preview = try await client.post("/cases/\(reference)/visits",
                                                answers.merging(["csrf": adviser.csrf, "preview": "1"]) { $1 }, adviser)
            #expect(preview.status == .ok && preview.text.contains("加权总分 24") && preview.text.contains("需主管审批"),
                    "\(preview.text.suffix(2000))")
            #expect(preview.text.contains(#"value="none" checked"#), "the answers stay chosen")
            #expect(try await centre.store.caseDetail(reference, viewer: "test")?.visits.isEmpty == true, "a preview stores nothing")

            let visit = answers.merging(["csrf": adviser.csrf, "version": version, "visited_on": LocalTime(Date(), centre.config.timeZone).day,
                                         "met": "居民本人", "note": "房东要求月底搬走"]) { $1 }
            let recorded = try await client.post("/cases/\(reference)/visits", visit, adviser)
            #expect(recorded.status == .seeOther)
            // The same page posted again (another tab, another adviser): refused, and it says why.
            let stale = try await client.post("/cases/\(reference)/visits", visit, adviser)
            #expect(stale.status == .conflict && stale.text.contains("已被他人修改"))
            let incomplete = try await client.post("/cases/\(reference)/visits",
                                                   ["csrf": adviser.csrf, "version": "1", "visited_on": "2026-12-01"], adviser)
            #expect(incomplete.status == .unprocessableContent && incomplete.text.contains("没有回答"))
            #expect(try await client.post("/cases/\(reference)/visits/decision", ["csrf": adviser.csrf, "decision": "approve"],
                                          adviser).status == .unprocessableContent, "an adviser cannot approve")

            let supervisor = try await client.signIn("zhao.super", CenterFixture.password)
            let inbox = try await client.get("/inbox", supervisor)
            #expect(inbox.text.contains("待审批的访视评级") && inbox.text.contains(reference))
            let approved = try await client.post("/cases/\(reference)/visits/decision",
                                                 ["csrf": supervisor.csrf, "decision": "approve"], supervisor)
            #expect(approved.status == .seeOther)
            let after = try await client.get("/inbox", supervisor)
            #expect(!after.text.contains("待审批的访视评级"))
            let casePage = try await client.get("/cases/\(reference)", supervisor)
            #expect(casePage.text.contains("已批准") && casePage.text.contains("红色·高度困难"))
        }
        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(detail.level == .red && detail.visits.map(\.state) == [.approved])
        let inbox = try await centre.store.inbox(InboxFilter(), pageSize: 10)
        #expect(inbox.rows.map(\.level) == [.red, .red], "both red now")
    }
}
