import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import IntakeProtocol
import TestSupport
import Testing

/// The partner API against a real `kiosk-center serve` over loopback: signed
/// calls only, a replay refused, a feed of only the partner's referrals and
/// only what it may see, and answers applied exactly once through a kill -9.
@Suite(.serialized) struct PartnerAPITests {
    struct Partner {
        let id: String
        let secret: [UInt8]
        let base: String

        /// A call signed now (or at `stamp`), as a partner's system makes it.
        func headers(_ method: String, _ pathAndQuery: String, body: Data = Data(),
                     stamp: Int64 = Int64(Date().timeIntervalSince1970)) -> [String: String] {
            let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            return ["Partner-Id": id, "Partner-Timestamp": String(stamp), "Partner-Nonce": nonce,
                    "Content-Type": "application/json",
                    "Partner-Signature": RequestSigner(secret: secret).signature(
                        method: method, path: pathAndQuery + "\n" + nonce, timestamp: stamp, body: body)]
        }

        func get(_ pathAndQuery: String) throws -> (status: Int, body: String) {
            try httpRequest("GET", base + pathAndQuery, headers: headers("GET", pathAndQuery))
        }

        func answer(_ number: String, _ json: String) throws -> (status: Int, body: String) {
            let path = "/api/partner/v1/referrals/\(number)/answers", body = Data(json.utf8)
            return try httpRequest("POST", base + path, headers: headers("POST", path, body: body), body: body)
        }
    }

    @Test func aPartnersSystemReadsItsReferralsAndAnswersOnceThroughAKillOfTheCentre() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-partner-api"))
        _ = try centre.addKiosk("JA0301")
        let secret = try #require([UInt8](hex: try centre.command(["partner", "add", "charity-foundation"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let other = try #require([UInt8](hex: try centre.command(["partner", "add", "education"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try centre.command(["partner", "add", "nowhere"]).status != 0)
        let config = try CenterConfigurationLoader.load(from: centre.config)

        // A case referred to the foundation and to the federation.
        let store = try await centre.openCentreStore()
        let (submission, _) = sample(sequence: 1, level: .red)
        guard case let .created(reference) = try await store.accept(submission) else { throw CenterError(description: "not created") }
        try await store.addStaff("li.adviser", role: .adviser, password: CenterFixture.password, actor: "test")
        for action in [CaseAction.accept, .refer(partner: "charity-foundation", kind: .material, note: "需要食品", shareID: true),
                       .refer(partner: "womens-federation", kind: .psychological, note: "", shareID: false)] {
            try await store.perform(action, on: reference, by: "li.adviser", role: .adviser, rules: config.cases,
                                    partner: config.partner)
        }
        store.close()
        let food = "\(reference)-1"
        let base = "http://127.0.0.1:\(centre.port)"
        let foundation = Partner(id: "charity-foundation", secret: secret, base: base)

        // Unsigned, wrongly signed, stale, replayed: refused.
        #expect(try httpRequest("GET", base + "/api/partner/v1/referrals").status == 401)
        let wrong = Partner(id: "charity-foundation", secret: other, base: base)
        #expect(try wrong.get("/api/partner/v1/referrals").status == 401)
        let stale = foundation.headers("GET", "/api/partner/v1/referrals", stamp: Int64(Date().timeIntervalSince1970) - 900)
        #expect(try httpRequest("GET", base + "/api/partner/v1/referrals", headers: stale).status == 401)
        let once = foundation.headers("GET", "/api/partner/v1/referrals?after=0")
        #expect(try httpRequest("GET", base + "/api/partner/v1/referrals?after=0", headers: once).status == 200)
        let replay = try httpRequest("GET", base + "/api/partner/v1/referrals?after=0", headers: once)
        #expect(replay.status == 401 && replay.body.contains("Replayed"))

        // The feed: its referral only, and what it may see.
        let feed = try foundation.get("/api/partner/v1/referrals?after=0&limit=10")
        #expect(feed.status == 200 && feed.body.contains(food) && !feed.body.contains("\(reference)-2"), "\(feed.body)")
        #expect(feed.body.contains("欧阳明华") && feed.body.contains("需要食品") && feed.body.contains("\"level\":\"red\""))
        for hidden in ["11010519491231002X", "腿脚不便独居", "武定路", "none-today"] { #expect(!feed.body.contains(hidden), "\(hidden)") }
        let cursor = try #require(feed.body.firstMatch(of: /"cursor":(\d+)/).map { String($0.1) })

        // Another partner's referral is not there; a bad answer says why.
        let education = Partner(id: "education", secret: other, base: base)
        #expect(try education.answer(food, #"{"answerId":"edu-answer-1","action":"accept"}"#).status == 404)
        #expect(try foundation.answer(food, #"{"answerId":"cf-answer-0","action":"decline"}"#).status == 422)
        #expect(try foundation.answer(food, #"{"answerId":"x","action":"accept"}"#).status == 422)
        #expect(try foundation.answer(food, #"{"answerId":"cf-answer-0","action":"#).status == 400)

        // Accepted; the centre is killed; the same answer sent again is told, not applied twice.
        let accept = #"{"answerId":"cf-answer-1","action":"accept"}"#
        let first = try foundation.answer(food, accept)
        #expect(first.status == 200 && first.body.contains(#""state":"accepted""#) && first.body.contains(#""repeated":false"#))
        centre.stop(signal: SIGKILL)
        try centre.start()
        try await waitUntilAnswering("http://127.0.0.1:\(centre.port)/health")
        let restarted = Partner(id: "charity-foundation", secret: secret, base: "http://127.0.0.1:\(centre.port)")
        let again = try restarted.answer(food, accept)
        #expect(again.status == 200 && again.body.contains(#""repeated":true"#), "\(again.body)")
        let reused = try restarted.answer(food, #"{"answerId":"cf-answer-1","action":"start"}"#)
        #expect(reused.status == 409 && reused.body.contains("answerId"))
        let skipped = try restarted.answer(food, #"{"answerId":"cf-answer-2","action":"accept"}"#)
        #expect(skipped.status == 409, "accepting twice is not possible")
        let completed = try restarted.answer(food, """
            {"answerId":"cf-answer-3","action":"complete","delivery":{"kind":"material","what":"食品包两份","on":"\(
                LocalTime(Date(), config.timeZone).day)","amountCents":30000}}
            """)
        #expect(completed.status == 200 && completed.body.contains(#""state":"completed""#), "\(completed.body)")
        let changed = try restarted.get("/api/partner/v1/referrals?after=\(cursor)")
        #expect(changed.body.contains(food) && changed.body.contains(#""state":"completed""#), "\(changed.body)")

        let after = try await centre.openCentreStore()
        let detail = try #require(try await after.caseDetail(reference, viewer: "test"))
        #expect(detail.referrals[0].history.map(\.action) == ["referral_create", "referral_accept", "referral_complete"],
                "one accept, however often it was sent")
        #expect(detail.referrals[0].delivery?.amountCents == 30_000)
        let log = try await after.auditEntries()
        #expect(log.contains { $0.actor == "partner-api:charity-foundation" && $0.action == "view_referral" })
        #expect(log.contains { $0.action == "partner_secret" && $0.detail == "charity-foundation generation 1" })
        after.close()
        centre.stop()
        let journal = (try? String(contentsOf: URL(fileURLWithPath: centre.log.path + ".err"), encoding: .utf8)) ?? ""
        for secretText in ["欧阳明华", "需要食品", "食品包", "13912345678"] { #expect(!journal.contains(secretText)) }
    }
}

/// Until the restarted centre answers its health check.
func waitUntilAnswering(_ url: String, within seconds: Double = 30) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if let answer = try? httpGet(url, timeout: 2), answer.status == 200 { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("\(url) did not answer within \(seconds) s")
}
