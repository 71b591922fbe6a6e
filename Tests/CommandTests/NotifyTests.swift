import Foundation
@testable import ServiceNotify
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct NotifyTests {
    /// A kiosk whose centre is not there: each heartbeat waits out the
    /// 1 s HTTP timeout, so the watchdog interval must be longer.
    func forwarderEnvironment() throws -> [String: String] {
        let state = try temporaryFolder("state")
        let config = state.deletingLastPathComponent().appendingPathComponent("config-\(UUID().uuidString.prefix(6))")
        try FileManager.default.copyItem(at: shippedConfig, to: config)
        let kiosk = config.appendingPathComponent("kiosk.yaml")
        try (try String(contentsOf: kiosk, encoding: .utf8))
            .replacingOccurrences(of: "timeout_seconds: 10", with: "timeout_seconds: 1")
            .replacingOccurrences(of: "centre_url: http://127.0.0.1:8740", with: "centre_url: http://127.0.0.1:9")
            .write(to: kiosk, atomically: true, encoding: .utf8)
        let env = ["KIOSK_CONFIG": config.path, "KIOSK_STATE": state.path]
        #expect(try run("kioskctl", ["credentials", "init"], environment: env).status == 0)
        try writeSecret(String(repeating: "ab", count: 32), to: state.appendingPathComponent("credentials/centre.key"))
        return env
    }

    @Test(arguments: [false, true])
    func theForwarderSaysReadyPingsTheWatchdogFromItsLoopAndSaysStopping(abstract: Bool) throws {
        let folder = try temporaryFolder("notify")
        let socket = try NotifySocket(folder: folder, abstract: abstract)
        var environment = try forwarderEnvironment()
        environment["NOTIFY_SOCKET"] = socket.name
        environment["WATCHDOG_USEC"] = "3000000"
        environment["PATH"] = "/usr/bin:/bin"

        let process = try Subprocess([product("kioskd"), "forwarder"], environment: environment,
                                     output: folder.appendingPathComponent("forwarder.log"))

        let running = socket.receive(timeout: 12) { messages in messages.filter { $0 == "WATCHDOG=1" }.count >= 3 }
        #expect(running.first?.hasPrefix("READY=1\nSTATUS=") == true)
        #expect(running.filter { $0 == "WATCHDOG=1" }.count >= 3, "pings at half of WATCHDOG_USEC")
        #expect(running.contains { $0.hasPrefix("STATUS=queue 0") }, "one line of state")

        process.signal(SIGTERM)
        let stopping = socket.receive(timeout: 10) { $0.contains { $0.hasPrefix("STOPPING=1") } }
        process.wait()
        #expect(stopping.contains { $0.hasPrefix("STOPPING=1") })
        #expect(process.exitCode == 0, "a graceful stop exits 0")
    }
}

/// A log line carries values from the wire; none may start a line of its own
/// or drive the terminal that shows the journal.
@Suite struct JournalLineTests {
    @Test func controlAndBidiScalarsBecomeSpaces() {
        let cleaned = JournalLogHandler.clean("a\nb\u{1B}[2J\u{9B}31m\u{85}c\u{202E}d\u{2028}e")
        #expect(cleaned == "a b [2J 31m c d e")
    }
}
