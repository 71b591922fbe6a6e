import CentreConfig
import CentreTestSupport
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain
import KioskStore
import TestSupport
import Testing

/// Door 2 across both ends: the real centre's case steps reach the kiosk
/// through the forwarder's signed progress call, with nothing personal.
@Suite(.serialized) struct ProgressTests {
    @Test func theCentresStepsReachTheKioskAndNothingPersonalTravels() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"))
        try centre.addStaff("li.adviser", role: "adviser", password: "correct horse battery")
        let submitted = try kiosk.submit(2)
        let first = submitted[0].receiptNumber, second = submitted[1].receiptNumber
        #expect(try kiosk.store.progress(of: first).here == .waiting, "not yet sent to the centre")
        let waiting = try runToEnd([product("kioskctl"), "progress", first.description, "--json"], environment: kiosk.environment)
        #expect(waiting.status == 0 && waiting.stdout.contains("\"here\":\"waiting\""), "\(waiting.stderr)")

        #expect(try await kiosk.forwardUntilDrained(timeout: 30))
        let reference = try #require(try kiosk.store.record(receipt: first)?.centreReference)
        let config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        let store = try await centre.openCentreStore()
        for action in [CaseAction.accept, .assign(to: "li.adviser"), .recordContact(.noAnswer),
                       .refer(partner: "charity-foundation", kind: .material, note: "需要食品", shareID: false),
                       .refer(partner: "womens-federation", kind: .psychological, note: "", shareID: false)] {
            try await store.perform(action, on: reference, by: "li.adviser", role: .adviser, rules: config.cases,
                              partner: config.partner)
        }
        // The partners answer: the federation declines, the foundation opens, accepts and delivers.
        let (food, talk) = ("\(reference)-1", "\(reference)-2")
        let foundation = ReferralActor.partner(id: "charity-foundation")
        _ = try await store.openReferral(food, viewer: "cf.staff", partner: "charity-foundation", idSharingConsents: [])
        try await store.perform(.decline(.noCapacity, note: "名额已满"), onReferral: talk, by: "fu.staff",
                                as: .partner(id: "womens-federation"))
        try await store.perform(.accept, onReferral: food, by: "cf.staff", as: foundation)
        let delivered = Date(timeIntervalSince1970: 1_796_349_600)
        try await store.perform(.complete(Delivery(kind: .material, what: "食品包两份", on: delivered, amountCents: 30_000)),
                                onReferral: food, by: "cf.staff", as: foundation, now: delivered.addingTimeInterval(3600))
        try await store.perform(.close(.referredConfirmed, note: "王小明已领取临时救助"), on: reference, by: "li.adviser",
                                role: .adviser, rules: config.cases, partner: config.partner)

        // The forwarder fetches at start and with each heartbeat (5 s here).
        let forwarder = try await kiosk.startForwarder()
        var steps: [ProgressChange] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            steps = try kiosk.store.progress(of: first).steps
            if steps.last?.state == .closed { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await forwarder.stop()
        #expect(steps.map(\.state) == [.received, .accepted, .assigned, .referred, .referred, .referred, .referred,
                                        .referred, .inService, .inService, .closed],
                "an unanswered call changes nothing a resident sees; each referral and each partner's answer does")
        #expect(steps.filter { $0.referral == nil && $0.state == .referred }.compactMap(\.partner?.chinese)
                == ["市慈善基金会", "区妇女联合会"])
        #expect(steps.compactMap(\.referral?.step) == [.received, .declined, .accepted, .completed])
        #expect(steps.first { $0.referral?.step == .declined }?.partner?.chinese == "区妇女联合会")
        #expect(steps.first { $0.referral?.step == .completed }?.referral?.deliveredOn == delivered)
        #expect(steps.last?.outcome == .referredConfirmed)
        #expect(try kiosk.store.progress(of: second).steps.map(\.state) == [.received])
        if case .sent = try kiosk.store.progress(of: first).here {} else { Issue.record("forwarded: sent") }

        // What travelled: no name, note, phone or adviser, on the wire or in the kiosk's table.
        let page = try await store.progress(kiosk: "JA0301", after: 0, limit: 100) { config.partner($0)?.name }
        let wire = String(decoding: try page.encoded(), as: UTF8.self)
        for secret in ["王小明", "居民0", "li.adviser", "cf.staff", "临时救助", "1391000000", "名额已满", "食品包", "需要食品",
                       "no_capacity", "amountCents"] {
            #expect(!wire.contains(secret), "\(secret) on the wire")
        }
        #expect(page.changes.count == 12, "eleven steps of the first request, one of the second")
        _ = try centre.addKiosk("JA0302")
        #expect(try await store.progress(kiosk: "JA0302", after: 0, limit: 100) { _ in nil }.changes.isEmpty,
                "a kiosk sees its own requests only")

        let shown = try runToEnd([product("kioskctl"), "progress", first.description], environment: kiosk.environment)
        #expect(shown.status == 0 && shown.stdout.contains("sent to the centre") && shown.stdout.contains("closed  referred_confirmed"),
                "\(shown.stdout)")
        #expect(shown.stdout.contains("referred  市慈善基金会") && shown.stdout.contains("referral declined  区妇女联合会"),
                "\(shown.stdout)")
        var typo = Array(first.description)
        typo[typo.count - 3] = typo[typo.count - 3] == "1" ? "2" : "1"
        let mistyped = try runToEnd([product("kioskctl"), "progress", String(typo)], environment: kiosk.environment)
        #expect(mistyped.status != 0 && mistyped.stderr.contains("check character"), "\(mistyped.stderr)")
    }
}
