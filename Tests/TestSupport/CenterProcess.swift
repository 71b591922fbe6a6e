import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `kiosk-center serve` as a process on a loopback port.
public final class CenterProcess {
    public let state: URL
    public private(set) var port: Int
    private var process: Subprocess?

    public init(state: URL, port: Int = 0) throws {
        self.state = state
        self.port = port
        try start()
    }

    public var log: URL { state.appendingPathComponent("serve.log") }

    public func start() throws {
        let process = try Subprocess([product("kiosk-center"), "serve", "--state", state.path,
                                      "--port", String(port)], output: log)
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            // Only this run's lines: a restart appends to the same log.
            if let line = process.text.split(separator: "\n").last(where: { $0.hasPrefix("listening on") }),
               let found = Int(line.split(separator: ":").last ?? "") {
                port = found
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SubprocessError(description: "kiosk-center did not start: \(process.errorText)")
    }

    public func stop(signal: Int32 = SIGTERM) {
        process?.signal(signal)
        process?.wait()
        process = nil
    }

    /// Registers a kiosk; returns its shared secret (hex).
    public func addKiosk(_ code: String) throws -> String {
        try runToEnd([product("kiosk-center"), "kiosk", "add", code, "--state", state.path])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit { stop(signal: SIGKILL) }
}
