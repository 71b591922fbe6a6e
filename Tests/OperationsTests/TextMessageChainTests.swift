import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import GRDB
import TestSupport
import Testing

/// Text messages as a resident gets them: a request typed at the kiosk
/// (yes to texts), forwarded to a real centre with a real Kannel and
/// fakesmsc as the phone; the case accepted, assigned, referred, answered by
/// the partner and closed; the phone gets each step once, in order, within
/// the length limit; the gateway down for a while delays and loses nothing;
/// a kill -9 of the centre doubles nothing; the follow-up's "2" reply shows on the case.
@Suite(.serialized) struct TextMessageChainTests {
    @Test func aResidentHearsEachStepOnceAndAnswersTheFollowUp() async throws {
        let intakePort = try freeTCPPort(), sendsmsPort = try freeTCPPort()
        let config = try CenterProcess.configuration { $0 }
        let messages = config.appendingPathComponent("messages.yaml")
        try (try String(contentsOf: messages, encoding: .utf8))
            .replacingOccurrences(of: "# gateway:\n#   sendsms_url: http://127.0.0.1:13013/cgi-bin/sendsms\n#   username: kiosk-centre\n#   callback_url: http://127.0.0.1:8740",
                                  with: "gateway:\n  sendsms_url: http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms\n  username: kiosk-centre\n  callback_url: http://127.0.0.1:\(intakePort)")
            .replacingOccurrences(of: "quiet_hours: {from: \"21:00\", until: \"08:00\"}\n", with: "")
            .replacingOccurrences(of: "coalesce_seconds: 60", with: "coalesce_seconds: 1")
            .replacingOccurrences(of: "retry_seconds: 30", with: "retry_seconds: 1")
            .write(to: messages, atomically: true, encoding: .utf8)
        let settings = try CenterConfigurationLoader.load(from: config)
        #expect(settings.messaging.isOn)

        // The centre's keys first: its reply address is signed with them, and Kannel is started with it.
        let state = try temporaryFolder("centre-sms"), credentials = try temporaryFolder("centre-sms-credentials")
        let folders = ["--state", state.path, "--config", config.path, "--credentials", credentials.path]
        #expect(try runToEnd([product("kiosk-center"), "credentials", "init"] + folders).status == 0)
        let replyURL = try runToEnd([product("kiosk-center"), "sms", "reply-url"] + folders).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(replyURL.hasPrefix("http://127.0.0.1:\(intakePort)/sms/mo?sig="))
        let lab = try SMSLab(replyURL: replyURL, sendsmsPort: sendsmsPort)
        try writeSecret(lab.password, to: credentials.appendingPathComponent("kannel-sendsms.password"))
        let centre = try CenterProcess(state: state, port: intakePort, config: config, credentials: credentials)
        let secret = try centre.addKiosk("JA0301")
        try centre.addStaff("li.adviser", role: "adviser", password: "correct horse battery")

        // The resident asks at the kiosk and says yes to texts; the forwarder carries it to the centre.
        let front = try TmuxFront(
            configEdits: [("kiosk.yaml", "centre_url: http://127.0.0.1:8740", "centre_url: http://127.0.0.1:\(centre.port)")],
            centreSecret: secret, centreKey: centre.publicKey)
        _ = try askForHelp(on: front, questions: shippedQuestionCount)
        let forwarder = try Subprocess([product("kioskd"), "forwarder"], environment: front.kioskEnvironment,
                                       output: front.folder.appendingPathComponent("forwarder.log"))
        defer { forwarder.signal(SIGTERM); forwarder.wait() }
        let kiosk = try front.openStore()
        #expect(try eventually { try kiosk.queueSummary()[.forwarded] == 1 }, "the request reached the centre")
        let receipt = try #require(try kiosk.records(in: .forwarded).first?.receiptNumber)
        func phone() -> [String] { lab.received().filter { $0.to == Applicant.phone }.map(\.text) }
        #expect(eventually(timeout: 30) { phone().count == 1 }, "\(lab.received())")
        #expect(phone().first?.hasPrefix("【南京西路社区救助】您的求助已收到，回执号\(receipt)。") == true, "\(phone())")

        // The adviser's steps, written as the console writes them (the store beside the running centre).
        let store = try await centre.openCentreStore(messaging: settings.messaging)
        let reference = try #require(try await store.inbox(InboxFilter(), pageSize: 10).rows.first?.reference)
        func act(_ action: CaseAction) async throws {
            try await store.perform(action, on: reference, by: "li.adviser", role: .adviser, rules: settings.cases,
                                    partner: settings.partner)
        }
        try await act(.accept)
        try await act(.assign(to: "li.adviser"))
        try await act(.recordContact(.reached))
        #expect(eventually(timeout: 30) { phone().count == 2 })
        #expect(phone().last?.contains("已有顾问负责") == true)

        // The gateway is down while the referral is made: the message waits, and goes once it is back.
        try lab.pause()
        try await act(.refer(partner: "charity-foundation", kind: .material, note: "", shareID: false))
        try await Task.sleep(for: .seconds(3))  // long enough for a few tries to fail (retry_seconds: 1)
        #expect(phone().count == 2, "nothing goes while the gateway is down")
        try lab.resume()
        #expect(eventually(timeout: 40) { phone().count == 3 }, "\(phone())")
        #expect(phone().last?.contains("市慈善基金会") == true && phone().last?.contains("延安中路") == true)

        // The partner accepts and delivers; the case closes. The centre is killed -9 right after the
        // close, before the message could go: back, it sends it once.
        let foundation = ReferralActor.partner(id: "charity-foundation")
        try await store.perform(.accept, onReferral: "\(reference)-1", by: "cf.staff", as: foundation)
        #expect(eventually(timeout: 30) { phone().count == 4 })
        try await store.perform(.start, onReferral: "\(reference)-1", by: "cf.staff", as: foundation)
        try await store.perform(.complete(Delivery(kind: .material, what: "食品包", on: Date())),
                                onReferral: "\(reference)-1", by: "cf.staff", as: foundation)
        #expect(eventually(timeout: 30) { phone().count == 5 })
        centre.stop(signal: SIGKILL)
        try await act(.close(.referredConfirmed, note: "已送达"))
        try centre.start()
        #expect(eventually(timeout: 30) { phone().count == 6 })
        #expect(phone().last?.contains("已办结") == true)

        // Three days pass for the follow-up question (no clock of the running centre can be turned).
        let file = state.appendingPathComponent("center.sqlite").path
        try await DatabaseQueue(path: file).write { db in
            try db.execute(sql: "UPDATE messages SET send_after = 0 WHERE kind = 'follow_up' AND state = 'queued'")
        }
        #expect(eventually(timeout: 30) { phone().count == 7 })
        #expect(phone().last?.contains("回复1 是，回复2 否") == true)
        for text in phone() {
            #expect(text.utf16.count <= 2 * 67, "within two parts: \(text)")
            #expect(!text.contains(Applicant.name) && !text.contains(Applicant.residentID) && !text.contains("红色"))
        }
        #expect(Set(phone()).count == phone().count, "each once: \(phone())")

        // The resident replies "2": the answer is on the case.
        try lab.reply(from: Applicant.phone, "2")
        var answered: Bool?
        for _ in 0..<100 where answered == nil {
            answered = try await store.caseDetail(reference, viewer: "test")?.replies.first?.answer
            if answered == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(answered == false, "a 2 to the follow-up is a no")
        // Every one with its delivery report, the one that came while the centre was killed too (Kannel tries again).
        var delivered = 0
        for _ in 0..<100 where delivered < 7 {
            delivered = try await store.caseDetail(reference, viewer: "test")?.messages.filter { $0.state == .delivered }.count ?? 0
            if delivered < 7 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(delivered == 7)
        store.close()
        centre.stop()
    }
}
