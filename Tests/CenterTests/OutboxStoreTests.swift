import CentreConfig
import CentreMessages
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import KioskDomain
import Testing

/// The outbox in the store, on both engines: a message only for a resident
/// who said yes; a burst settles into one; what the gateway says of each;
/// a stop mid-send never sends twice; a permanent failure asks for a call
/// until a contact is recorded; a reply finds its case by the number.
@Suite struct OutboxStoreTests {
    func act(_ centre: CenterFixture, _ action: CaseAction, on reference: String) async throws {
        try await centre.perform(action, on: reference)
    }

    @Test(arguments: CenterBackend.allCases) func onlyAYesGetsMessagesAndABurstIsOne(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend, texts: true)
        try await centre.addStaff("li.adviser", .adviser)
        let silent = try await centre.receive(sequence: 1)
        let yes = try await centre.receive(sequence: 2, texts: true)
        for reference in [silent, yes] {
            try await act(centre, .accept, on: reference)
            try await act(centre, .assign(to: "li.adviser"), on: reference)
        }
        #expect(try await centre.store.caseDetail(silent, viewer: "t")?.messages.isEmpty == true, "no is respected")
        let burst = try #require(try await centre.store.caseDetail(yes, viewer: "t")?.messages)
        #expect(burst.map(\.kind) == [.received, .assigned] && burst.map(\.state) == [.superseded, .queued],
                "received then assigned within a minute: one message, the latest")
        #expect(try await centre.store.takeDueMessages().isEmpty, "the burst settles for coalesce_seconds first")
        let due = try await centre.store.takeDueMessages(now: Date().addingTimeInterval(61))
        #expect(due.map(\.kind) == [.assigned] && due.first?.phone == "13912345678" && due.first?.language == .chinese)
        try await centre.store.recordSend(.accepted(segments: 1), messageID: try #require(due.first).id)
        // Reassigned: said once, not again.
        try await centre.store.addStaff("wang.adviser", role: .adviser, password: CenterFixture.password, actor: "test")
        try await centre.perform(.assign(to: "wang.adviser"), on: yes, role: .supervisor)
        #expect(try await centre.store.caseDetail(yes, viewer: "t")?.messages.count == 2)
        // A duplicate closes without a word; a close as helped says so and queues the follow-up days later.
        try await act(centre, .recordContact(.reached), on: yes)
        try await act(centre, .close(.helped, note: "已送餐"), on: yes)
        let closed = try #require(try await centre.store.caseDetail(yes, viewer: "t")?.messages)
        #expect(closed.suffix(2).map(\.kind) == [.closedHelped, .followUp])
        #expect(closed.last!.sendAfter.timeIntervalSinceNow > 2.9 * 86_400, "the follow-up waits its days")
    }

    @Test(arguments: CenterBackend.allCases) func whatTheGatewaySaysAndAStopMidSend(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend, texts: true)
        try await centre.addStaff("li.adviser", .adviser)
        let reference = try await centre.receive(sequence: 1, texts: true)
        let later = Date().addingTimeInterval(61)
        let first = try #require(try await centre.store.takeDueMessages(now: later).first)
        // Temporary: back in the queue until the retry; then sent; then delivered by its report.
        try await centre.store.recordSend(.temporary("503"), messageID: first.id, retryAt: later.addingTimeInterval(30), now: later)
        #expect(try await centre.store.takeDueMessages(now: later).isEmpty)
        let again = try await centre.store.takeDueMessages(now: later.addingTimeInterval(31))
        #expect(again.map(\.id) == [first.id] && again.first?.attempts == 2)
        try await centre.store.recordSend(.accepted(segments: 1), messageID: first.id)
        #expect(try await centre.store.recordDeliveryReport(messageID: first.id, status: 8))
        #expect(try await centre.store.recordDeliveryReport(messageID: first.id, status: 1))
        #expect(try await centre.store.recordDeliveryReport(messageID: 999, status: 1) == false)
        #expect(try await centre.store.caseDetail(reference, viewer: "t")?.messages.first?.state == .delivered)

        // Taken for sending, then the centre stops: not sent again; no report in a day asks for a call.
        try await act(centre, .accept, on: reference)
        try await act(centre, .assign(to: "li.adviser"), on: reference)
        #expect(try await centre.store.takeDueMessages(now: later.addingTimeInterval(60)).count == 1)
        #expect(try await centre.store.settleInterruptedSends() == 1)
        #expect(try await centre.store.takeDueMessages(now: later.addingTimeInterval(120)).isEmpty, "never twice")
        #expect(try await centre.store.markUnconfirmedMessages(now: Date().addingTimeInterval(25 * 3600)) == 1)
        let calls = try await centre.store.followUps(now: Date().addingTimeInterval(25 * 3600))
        #expect(calls.map(\.caseReference) == [reference])
        guard case .callResident(_, .assigned)? = calls.first?.what else { Issue.record("\(calls)"); return }
        try await centre.perform(.recordContact(.reached), on: reference, now: Date().addingTimeInterval(26 * 3600))
        #expect(try await centre.store.followUps(now: Date().addingTimeInterval(27 * 3600)).isEmpty, "called: done")
    }

    @Test(arguments: CenterBackend.allCases) func aPermanentFailureAsksForACallAndAReplyFindsItsCase(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend, texts: true)
        let blocked = try await centre.receive(sequence: 1, texts: true, phone: "13000000000")
        let later = Date().addingTimeInterval(61)
        let message = try #require(try await centre.store.takeDueMessages(now: later).first)
        try await centre.store.recordSend(.permanent("400 denied"), messageID: message.id, now: later)
        #expect(try await centre.store.followUps(now: later).map(\.caseReference) == [blocked])
        let detail = try #require(try await centre.store.caseDetail(blocked, viewer: "t"))
        #expect(detail.messages.first?.state == .failed && detail.messages.first?.statusDetail == "400 denied")

        // A reply to a number the centre texted lands on that case; any other is dropped.
        let reference = try await centre.receive(sequence: 2, texts: true)
        let sent = try #require(try await centre.store.takeDueMessages(now: later).first)
        try await centre.store.recordSend(.accepted(segments: 1), messageID: sent.id)
        #expect(try await centre.store.recordReply(from: "+86 139 1234 5678", text: "谢谢"))
        #expect(try await centre.store.recordReply(from: "13800000000", text: "?") == false)
        let replied = try #require(try await centre.store.caseDetail(reference, viewer: "t"))
        #expect(replied.replies.map(\.text) == ["谢谢"] && replied.replies.first?.answer == nil)
        #expect(replied.timeline.last?.action == "reply")
        let report = try await centre.store.report(month: String(LocalMonth.now(centre.config.timeZone))).messages
        #expect(report.sent == 1 && report.unconfirmed == 1 && report.failed == 1 && report.replies == 1)

        // Retention erases the reply's words and the number's digest: a later reply finds no case.
        try await centre.perform(.close(.withdrawn, note: "居民撤回"), on: reference, now: Date().addingTimeInterval(-400 * 86_400))
        #expect(try await centre.store.eraseClosedCases(closedBefore: Date().addingTimeInterval(-365 * 86_400), actor: "test") == 1)
        #expect(try await centre.store.caseDetail(reference, viewer: "t")?.replies.map(\.text) == [nil])
        #expect(try await centre.store.recordReply(from: "13912345678", text: "还在吗") == false)
    }
}
