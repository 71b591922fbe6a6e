import Foundation
import TestSupport
import Testing

/// Watchdog pings come from the loop that could hang: when a test build
/// hangs that loop (`KIOSK_TEST_HANG_AFTER_SECONDS`), the pings stop and
/// systemd would restart the service.
@Suite(.serialized) struct WatchdogTests {
    static let watchdogMicroseconds = 2_000_000

    /// Pings before the hang, none for twice the watchdog interval after it.
    @discardableResult
    func expectPingsStop(socket: NotifySocket, log: () -> String) -> [String] {
        var before: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !log().contains("hang injected") {
            before += socket.receive(timeout: 0.2)
        }
        #expect(log().contains("hang injected"), "the loop reached the injected hang")
        before += socket.drain()
        #expect(before.first?.hasPrefix("READY=1") == true)
        #expect(before.filter { $0 == "WATCHDOG=1" }.count >= 2, "pings while the loop turned: \(before)")
        let after = socket.receive(timeout: 2 * Double(Self.watchdogMicroseconds) / 1_000_000)
        #expect(!after.contains("WATCHDOG=1"), "no ping once the loop hangs: \(after)")
        return before
    }

    @Test func theForwarderStopsPingingWhenItsDrainLoopHangs() throws {
        let folder = try temporaryFolder("watchdog")
        let socket = try NotifySocket(folder: folder, abstract: false)
        let state = folder.appendingPathComponent("state"), config = folder.appendingPathComponent("config")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: config)
        let kiosk = config.appendingPathComponent("kiosk.yaml")
        try (try String(contentsOf: kiosk, encoding: .utf8))
            .replacingOccurrences(of: "timeout_seconds: 10", with: "timeout_seconds: 1")
            .replacingOccurrences(of: "centre_url: http://127.0.0.1:8740", with: "centre_url: http://127.0.0.1:9")
            .write(to: kiosk, atomically: true, encoding: .utf8)
        let environment = ["KIOSK_CONFIG": config.path, "KIOSK_STATE": state.path]
        #expect(try runToEnd([product("kioskctl"), "credentials", "init"], environment: environment).status == 0)
        try writeSecret(String(repeating: "ab", count: 32), to: state.appendingPathComponent("credentials/centre.key"))
        let forwarder = try Subprocess(
            [product("kioskd"), "forwarder"],
            environment: environment.merging(["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "\(Self.watchdogMicroseconds)",
                                              "KIOSK_TEST_HANG_AFTER_SECONDS": "3"]) { $1 },
            output: folder.appendingPathComponent("forwarder.log"))
        expectPingsStop(socket: socket) { forwarder.errorText }
        forwarder.signal(SIGKILL)
    }

    @Test func theFrontStopsPingingWhenItsEventLoopHangs() throws {
        let folder = try temporaryFolder("watchdog")
        let socket = try NotifySocket(folder: folder, abstract: true)
        let front = try TmuxFront(environment: ["NOTIFY_SOCKET": socket.name,
                                                "WATCHDOG_USEC": "\(Self.watchdogMicroseconds)",
                                                "KIOSK_TEST_HANG_AFTER_SECONDS": "3"])
        try front.waitFor("社区救助自助申请")
        let messages = expectPingsStop(socket: socket) { (try? String(contentsOf: front.log, encoding: .utf8)) ?? "" }
        #expect(messages.contains("STATUS=screen welcome · printer none · queue 0"), "one line of state: \(messages)")
        // The screen froze with the loop: a key no longer changes it.
        try front.keys("Enter")
        Thread.sleep(forTimeInterval: 0.5)  // proving a negative takes a window: a live front answers in ~10 ms
        #expect(!(try front.screen()).contains("需要帮助的是谁"))
        // A hung front ignores the hang-up tmux sends; end it as systemd would.
        if let pid = try front.openStore().statuses().first(where: { $0.role == "front" })?.pid { kill(pid, SIGKILL) }
    }
}
