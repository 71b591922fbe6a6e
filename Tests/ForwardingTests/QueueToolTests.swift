import Foundation
import KioskStore
import Testing
import TestSupport

/// `kioskctl queue` as a technician and a script use it: every `--json`
/// is valid JSON alone on standard output, in snake_case, with `null` for
/// what has no value; `list` shows what waits, `--all` / `--since` what passed.
@Suite(.serialized) struct QueueToolTests {
    @Test func queueListAndShowPrintValidJSONAndRecentOnesOnRequest() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"))
        let sent = try kiosk.submit(2)
        #expect(try await kiosk.forwardUntilDrained(timeout: 30))
        let waiting = try kiosk.submit(1)[0]
        func kioskctl(_ arguments: [String]) throws -> RunResult {
            try runToEnd([product("kioskctl")] + arguments, environment: kiosk.environment)
        }
        func jsonArray(_ result: RunResult) throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]],
                         "\(result.stdout)")
        }

        // Not yet forwarded only: the one waiting, every key there, unset ones null.
        let list = try jsonArray(try kioskctl(["queue", "list", "--json"]))
        #expect(list.count == 1 && list[0]["receipt"] as? String == waiting.receiptNumber.description)
        #expect(Set(list[0].keys) == ["receipt", "state", "hardship", "created_at", "attempts", "next_attempt_at",
                                      "centre_reference", "reason"], "\(list[0].keys)")
        #expect(list[0]["centre_reference"] is NSNull && list[0]["reason"] is NSNull)

        // --all and --since: every state, newest first.
        let all = try jsonArray(try kioskctl(["queue", "list", "--all", "--json"]))
        #expect(all.map { $0["receipt"] as? String } == ([waiting] + sent.reversed()).map { $0.receiptNumber.description })
        #expect(all.filter { $0["state"] as? String == "forwarded" }.allSatisfy { $0["centre_reference"] is String })
        #expect(try jsonArray(try kioskctl(["queue", "list", "--since", "1h", "--json"])).count == 3)
        #expect(try jsonArray(try kioskctl(["queue", "list", "--since", "2000-01-01", "--json"])).count == 3)
        let tomorrow = DateFormatter()
        tomorrow.dateFormat = "yyyy-MM-dd"
        #expect(try jsonArray(try kioskctl(["queue", "list", "--since", tomorrow.string(from: Date().addingTimeInterval(2 * 86_400)),
                                            "--json"])).isEmpty)
        let text = try kioskctl(["queue", "list", "--all"])
        #expect(text.status == 0 && text.stdout.contains("forwarded") && text.stdout.contains("queued"))
        let wrong = try kioskctl(["queue", "list", "--since", "yesterday"])
        #expect(wrong.status == 64 && wrong.stderr.contains("give an age such as 30m"), "\(wrong.status) \(wrong.stderr)")

        // show --json: one object, the request and its audit trail.
        let shown = try kioskctl(["queue", "show", sent[0].receiptNumber.description, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any],
                                  "\(shown.stdout)")
        let request = try #require(object["request"] as? [String: Any])
        #expect(request["state"] as? String == "forwarded" && request["next_attempt_at"] is NSNull)
        let audit = try #require(object["audit"] as? [[String: Any]])
        #expect(audit.map { $0["event"] as? String }.contains("forwarded"), "\(audit)")
        #expect(audit.allSatisfy { Set($0.keys) == ["at", "actor", "event", "detail"] })

        // progress --json: snake_case like the rest, null when not sent.
        let progress = try #require(try JSONSerialization.jsonObject(
            with: Data(try kioskctl(["progress", waiting.receiptNumber.description, "--json"]).stdout.utf8)) as? [String: Any])
        #expect(progress["receipt_number"] as? String == waiting.receiptNumber.description && progress["sent_at"] is NSNull)
    }
}
