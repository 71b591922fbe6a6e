import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import Hummingbird
import HummingbirdTesting
import KioskDomain
import Testing

/// A case's plan through the console over HTTP, on each backend: three items
/// planned from the case page (one a partner's referral), a refused one says
/// why, an item past its day is in the inbox's follow-ups until it is marked,
/// and the month's report shows the outcome of visits.
@Suite struct ConsolePlanTests {
    @Test(arguments: CenterBackend.allCases) func threeItemsArePlannedAndTheOverdueOneIsFollowedUp(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).threeItemsArePlannedAndTheOverdueOneIsFollowedUp()
    }
}

extension ConsoleDriver {
    func threeItemsArePlannedAndTheOverdueOneIsFollowedUp() async throws {
        let reference = try await centre.receive(sequence: 1, level: .yellow)
        try await centre.perform(.accept, on: reference)
        try await centre.perform(.recordContact(.reached), on: reference)
        try await centre.perform(.refer(partner: "charity-foundation", kind: .material, note: "", shareID: false), on: reference)
        let today = LocalTime(Date(), centre.config.timeZone).day
        try await app.test(.router) { client in
            let adviser = try await client.signIn("li.adviser", CenterFixture.password)
            let page = try await client.get("/cases/\(reference)", adviser)
            #expect(page.text.contains("帮扶计划") && page.text.contains("value=\"referral:\(reference)-1\""))
            for (kind, what, owner) in [("material", "每月食品包", "referral:\(reference)-1"),
                                        ("service", "陪同去就业服务站登记", "adviser:li.adviser"),
                                        ("psychological", "每周一次电话关怀", "adviser:li.adviser")] {
                let added = try await client.post("/cases/\(reference)/plan", ["csrf": adviser.csrf, "kind": kind, "what": what,
                                                                                "owner": owner, "due_on": today], adviser)
                #expect(added.status == .seeOther, "\(added.text.suffix(800))")
            }
            let empty = try await client.post("/cases/\(reference)/plan", ["csrf": adviser.csrf, "kind": "service", "what": " ",
                                                                            "owner": "adviser:li.adviser", "due_on": today], adviser)
            #expect(empty.status == .unprocessableContent && empty.text.contains("请写明帮扶内容"))
            let badDay = try await client.post("/cases/\(reference)/plan", ["csrf": adviser.csrf, "kind": "service", "what": "x",
                                                                             "owner": "adviser:li.adviser", "due_on": "明天"], adviser)
            #expect(badDay.status == .unprocessableContent)
            let shown = try await client.get("/cases/\(reference)", adviser)
            #expect(shown.text.contains("每月食品包") && shown.text.contains("市慈善基金会") && shown.text.contains("心理支持"))
            #expect(!shown.text.contains("计划项逾期"), "nothing is past its day yet")
        }
        // An item planned a week ago for three days ago (the console plans only from today on) is past its day.
        let weekAgo = Date().addingTimeInterval(-7 * 86_400)
        let late = try await centre.store.addPlanItem(
            PlanItemInput(kind: .service, what: "补办低保申请材料", owner: .adviser("li.adviser"),
                          dueOn: try #require(centre.config.startOfDay(LocalTime(weekAgo.addingTimeInterval(4 * 86_400),
                                                                                 centre.config.timeZone).day))),
            on: reference, by: "li.adviser", role: .adviser, now: weekAgo)
        let items = try #require(try await centre.store.caseDetail(reference, viewer: "test")?.plan)
        try await app.test(.router) { client in
            let adviser = try await client.signIn("li.adviser", CenterFixture.password)
            let inbox = try await client.get("/inbox", adviser)
            #expect(inbox.text.contains("待跟进") && inbox.text.contains("计划项逾期：服务") && inbox.text.contains("#plan-\(late)"))
            #expect(try await client.get("/cases/\(reference)", adviser).text.contains("⚠ 已逾期"))
            let notDone = try await client.post("/cases/\(reference)/plan/\(late)",
                                                ["csrf": adviser.csrf, "outcome": "not_done", "note": ""], adviser)
            #expect(notDone.status == .unprocessableContent && notDone.text.contains("请说明未完成的原因"))
            for item in items {
                let done = try await client.post("/cases/\(reference)/plan/\(item.id)",
                                                 ["csrf": adviser.csrf, "outcome": "done", "note": ""], adviser)
                #expect(done.status == .seeOther)
            }
            let after = try await client.get("/inbox", adviser)
            #expect(!after.text.contains("计划项逾期"))
            let casePage = try await client.get("/cases/\(reference)", adviser)
            #expect(casePage.text.contains("计划项已完成"))
        }
        let plan = try #require(try await centre.store.caseDetail(reference, viewer: "test")?.plan)
        #expect(plan.map(\.state) == [.done, .done, .done, .done])
        #expect(plan.map(\.kind) == [.material, .service, .psychological, .service])
    }
}
