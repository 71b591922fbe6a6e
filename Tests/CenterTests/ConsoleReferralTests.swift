import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Referrals through the console over HTTP (the real router and store), on
/// each backend: an adviser refers a case to two partners; each partner's
/// staff see their own referral only, and of it only what they need; a
/// decline comes back to the adviser; a completion lets the case close.
@Suite struct ConsoleReferralTests {
    @Test(arguments: CenterBackend.allCases) func anAdviserRefersToTwoPartnersWhoAnswerThroughTheirOwnPages(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).anAdviserRefersToTwoPartnersWhoAnswerThroughTheirOwnPages()
    }
}

extension ConsoleDriver {
    func anAdviserRefersToTwoPartnersWhoAnswerThroughTheirOwnPages() async throws {
        let reference = try await centre.receive(sequence: 5, level: .red)
        for (name, partner) in [("cf.staff", "charity-foundation"), ("fu.staff", "womens-federation")] {
            try await centre.store.addStaff(name, role: .partner, password: CenterFixture.password, partner: partner,
                                            actor: "test")
        }
        let (food, talk) = ("\(reference)-1", "\(reference)-2")
        try await app.test(.router) { client in
            let adviser = try await client.signIn("li.adviser", CenterFixture.password)
            for form in [["action": "accept"], ["action": "contact", "result": "reached"],
                         ["action": "refer", "partner": "charity-foundation", "kind": "material", "note": "三口之家，断粮两天",
                          "share_id": "1"],
                         ["action": "refer", "partner": "womens-federation", "kind": "psychological", "note": ""]] {
                let done = try await client.post("/cases/\(reference)/actions", form.merging(["csrf": adviser.csrf]) { $1 },
                                                 adviser)
                #expect(done.status == .seeOther, "\(form)")
            }
            // A kind the partner does not give is refused with its reason, in the adviser's words.
            let refused = try await client.post("/cases/\(reference)/actions",
                                                ["csrf": adviser.csrf, "action": "refer", "partner": "womens-federation",
                                                 "kind": "material"], adviser)
            #expect(refused.status == .unprocessableContent && refused.text.contains("该机构不提供"), "\(refused.text.suffix(800))")
            let page = try await client.get("/cases/\(reference)", adviser)
            #expect(page.text.contains(food) && page.text.contains(talk) && page.text.contains("市慈善基金会"))
            #expect(page.text.contains("三口之家，断粮两天") && page.text.contains("已发出"))

            // The foundation: its own inbox, no name or note there; its page has what it needs, and no more.
            let foundation = try await client.signIn("cf.staff", CenterFixture.password)
            let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: foundation.cookie])
            #expect(home.headers[.location] == "/partner")
            let inbox = try await client.get("/partner", foundation)
            #expect(inbox.status == .ok && inbox.text.contains(food) && !inbox.text.contains(talk))
            #expect(!inbox.text.contains("欧阳明华") && !inbox.text.contains("断粮"))
            let looked = try await client.get("/partner/lookup?number=\(food.lowercased())", foundation)
            #expect(looked.status == .seeOther && looked.headers[.location] == "/partner/referrals/\(food)")
            let referral = try await client.get("/partner/referrals/\(food)", foundation)
            #expect(referral.status == .ok && referral.headers[.cacheControl] == "no-store")
            #expect(referral.text.contains("欧阳明华") && referral.text.contains("13912345678"))
            #expect(referral.text.contains("三口之家，断粮两天") && referral.text.contains("对方已查看"))
            for hidden in ["11010519491231002X", "110105********002X", "腿脚不便独居", "武定路 1 弄 2 号", talk] {
                #expect(!referral.text.contains(hidden), "\(hidden) shown to the partner")
            }
            // Another partner's referral, a case page, the inbox: not there for it.
            #expect(try await client.get("/partner/referrals/\(talk)", foundation).status == .notFound)
            let answerOther = try await client.post("/partner/referrals/\(talk)/actions",
                                                    ["csrf": foundation.csrf, "action": "accept"], foundation)
            #expect(answerOther.status == .notFound)
            for page in ["/cases/\(reference)", "/inbox", "/reports", "/fleet", "/audit"] {
                #expect(try await client.get(page, foundation).status == .forbidden, "\(page)")
            }
            #expect(try await client.get("/partner", adviser).status == .forbidden, "an adviser has no partner inbox")
            let noToken = try await client.post("/partner/referrals/\(food)/actions", ["action": "accept"], foundation)
            #expect(noToken.status == .forbidden)

            // The federation declines: back at the top of the adviser's inbox, with the reason.
            let federation = try await client.signIn("fu.staff", CenterFixture.password)
            _ = try await client.get("/partner/referrals/\(talk)", federation)
            let declined = try await client.post("/partner/referrals/\(talk)/actions",
                                                 ["csrf": federation.csrf, "action": "decline", "reason": "no_capacity",
                                                  "note": "心理咨询师本月已排满"], federation)
            #expect(declined.status == .seeOther)
            let back = try await client.get("/inbox", adviser)
            #expect(back.text.contains("转介退回") && back.text.contains(talk) && back.text.contains("暂无服务能力"))

            // The foundation accepts, then completes with what it delivered; the case closes "referral confirmed".
            for form in [["action": "accept"], ["action": "complete", "kind": "material", "what": "食品包两份",
                                                 "on": "2026-12-07", "amount": "abc"]] {
                _ = try await client.post("/partner/referrals/\(food)/actions", form.merging(["csrf": foundation.csrf]) { $1 },
                                          foundation)
            }
            let badAmount = try await client.get("/partner/referrals/\(food)", foundation)
            #expect(badAmount.text.contains("已接收"), "a bad amount stored nothing")
            let completed = try await client.post("/partner/referrals/\(food)/actions",
                                                  ["csrf": foundation.csrf, "action": "complete", "kind": "material",
                                                   "what": "食品包两份", "on": "2026-12-07", "amount": "300.5"], foundation)
            #expect(completed.status == .seeOther)
            let closed = try await client.post("/cases/\(reference)/actions",
                                               ["csrf": adviser.csrf, "action": "close", "outcome": "referred_confirmed",
                                                "note": "基金会已送达食品包"], adviser)
            #expect(closed.status == .seeOther)
            let final = try await client.get("/cases/\(reference)", adviser)
            #expect(final.text.contains("食品包两份 ¥300.50") && final.text.contains("心理咨询师本月已排满"))

            // The supervisor's report counts the partners' answers; the CSV carries them, never the words.
            let supervisor = try await client.signIn("zhao.super", CenterFixture.password)
            let csv = try await client.get("/reports.csv", supervisor)
            #expect(csv.text.contains("转介机构,市慈善基金会,1,") && csv.text.contains("完成 1（物质帮助 1）"), "\(csv.text)")
            #expect(csv.text.contains("转介机构,区妇女联合会,1,") && csv.text.contains("拒绝 1（暂无服务能力 1）"))
            #expect(csv.text.contains("帮助送达,身心安康,1,共 1 件"))
            #expect(!csv.text.contains("食品包") && !csv.text.contains("排满"))
        }
        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(detail.state == .closed && detail.outcome == .referredConfirmed)
        #expect(detail.referrals.map(\.state) == [.completed, .declined])
        #expect(detail.referrals[0].delivery?.amountCents == 30_050)
    }
}
