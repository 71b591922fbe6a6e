import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket the test owns, standing in for systemd's notify socket.
final class NotifySocket {
    let fd: Int32
    let name: String

    /// A path socket, or an abstract one (`@name`) when `abstract`.
    init(folder: URL, abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        name = abstract ? "@kiosk-test-\(UUID().uuidString.prefix(8))" : folder.appendingPathComponent("notify.sock").path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw CocoaError(.fileWriteUnknown) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Messages received until `until` returns true or `timeout` passes.
    func receive(timeout: Double, until: ([String]) -> Bool = { _ in false }) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline, !until(messages) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { messages.append(String(decoding: buffer.prefix(count), as: UTF8.self)) }
        }
        return messages
    }
}

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
        try String(repeating: "ab", count: 32).write(to: state.appendingPathComponent("credentials/centre.key"),
                                                     atomically: true, encoding: .utf8)
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
