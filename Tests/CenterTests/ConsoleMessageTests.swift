import CentreConfig
import CentreMessages
import CentreStore
import CentreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Text messages on a case's page over HTTP, on each backend: each message
/// with where it stands, an adviser's own text (length-checked, audited), a
/// resident who said no cannot be texted, and the inbox asks for a call when
/// a message failed.
@Suite struct ConsoleMessageTests {
    @Test(arguments: CenterBackend.allCases) func theCasePageListsMessagesAndAnAdviserTextsTheResident(_ backend: CenterBackend) async throws {
        let driver = try await ConsoleDriver(backend, texts: true)
        let centre = driver.centre
        let yes = try await centre.receive(sequence: 1, texts: true)
        let no = try await centre.receive(sequence: 2)
        let later = Date().addingTimeInterval(61)
        let received = try #require(try await centre.store.takeDueMessages(now: later).first)
        try await centre.store.recordSend(.permanent("400 denied"), messageID: received.id)
        try await driver.app.test(.router) { client in
            let adviser = try await client.signIn("li.adviser", CenterFixture.password)
            let page = try await client.get("/cases/\(yes)", adviser)
            #expect(page.text.contains("短信") && page.text.contains("已收到") && page.text.contains("发送失败"))
            let inbox = try await client.get("/inbox", adviser)
            #expect(inbox.text.contains("短信未送达，请致电居民：已收到") && inbox.text.contains("#messages"))

            let long = String(repeating: "请明天上午带身份证到服务中心。", count: 12)
            let refused = try await client.post("/cases/\(yes)/messages", ["csrf": adviser.csrf, "text": long], adviser)
            #expect(refused.status == .unprocessableContent && refused.text.contains("最多 2 条"))
            let empty = try await client.post("/cases/\(yes)/messages", ["csrf": adviser.csrf, "text": "  "], adviser)
            #expect(empty.status == .unprocessableContent && empty.text.contains("请先写好短信内容"))
            let sent = try await client.post("/cases/\(yes)/messages",
                                             ["csrf": adviser.csrf, "text": "请明天上午带身份证到服务中心。"], adviser)
            #expect(sent.status == .seeOther)
            let noPage = try await client.get("/cases/\(no)", adviser)
            #expect(noPage.text.contains("居民没有同意接收短信") && !noPage.text.contains("id=\"sms-send\""))
            let refusedNo = try await client.post("/cases/\(no)/messages", ["csrf": adviser.csrf, "text": "你好"], adviser)
            #expect(refusedNo.status == .unprocessableContent)
        }
        let detail = try #require(try await centre.store.caseDetail(yes, viewer: "t"))
        #expect(detail.messages.map(\.kind) == [.received, .freeText])
        #expect(detail.timeline.last?.action == "text_message")
        let due = try await centre.store.takeDueMessages(now: Date().addingTimeInterval(120))
        #expect(due.first?.text == "请明天上午带身份证到服务中心。")
        let log = try await centre.store.auditEntries().map(\.action)
        #expect(log.contains("text_message"))
        #expect(!(try await centre.store.auditEntries()).contains { ($0.detail ?? "").contains("身份证") }, "the words never in the log")
    }
}
