import ArgumentParser
import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskFront
import KioskStore
import QRCode
import Receipts
import StorageSupport

/// `kiosk-bench front`: keystroke to frame written, bytes for one typed
/// character against a full redraw, the daemon's CPU while idle in a real
/// pseudo-terminal, and memory over 10,000 simulated sessions.
struct FrontBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "front", abstract: "Front: keystroke latency, bytes per key, idle CPU, memory (ratio: typed/full bytes).")

    @Option(help: "Configuration folder (default: $KIOSK_CONFIG or ./kiosk-config).")
    var config: String?

    @Option(help: "Simulated sessions for the memory figure.")
    var sessions = 10_000

    @Option(help: "Seconds to watch the idle daemon.")
    var idleSeconds = 5

    func run() throws {
        let configFolder = config ?? ProcessInfo.processInfo.environment["KIOSK_CONFIG"] ?? "kiosk-config"
        let configuration = try ConfigurationLoader.load(from: URL(fileURLWithPath: configFolder))
        let context = FrontContext(config: configuration)
        let clock = ContinuousClock()
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/null"))

        // Keystrokes into the name field: update, view, diff, write.
        var state = FrontState(now: clock.now)
        for key in [InputEvent.enter, .character("3"), .character("1")] { _ = state.update(.input(key), at: clock.now, context: context) }
        // Every question, then consent: the name field.
        for _ in 0...configuration.assessment.questions.count {
            _ = state.update(.input(.character("1")), at: clock.now, context: context)
        }
        var renderer = Renderer()
        let fullRedraw = renderer.frame(state.view(columns: 80, rows: 24, context: context).buffer)
        var keystroke = Samples()
        var typedBytes: [Int] = []
        let name = Array("欧阳明华司马长风")
        for index in 0..<2000 {
            let event: InputEvent = index % 20 == 19 ? .backspace : .character(name[index % name.count])
            if state.input.count >= 25 { _ = state.update(.input(.backspace), at: clock.now, context: context) }
            var bytes: [UInt8] = []
            keystroke.record(Samples.time {
                _ = state.update(.input(event), at: clock.now, context: context)
                bytes = renderer.frame(state.view(columns: 80, rows: 24, context: context).buffer)
                sink.write(Data(bytes))
            }, if: true)
            if case .character = event { typedBytes.append(bytes.count) }
        }
        let typed = typedBytes.sorted()[typedBytes.count / 2]

        // Memory over many sessions, each through to a stored request.
        let folder = try scratchFolder(nil, "front")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try KioskStore(
            path: folder.appendingPathComponent("kiosk.sqlite").path, centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey,
            issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode, timeZone: configuration.identity.timeZone))
        let key = ReceiptKey(bytes: Array(repeating: 2, count: 32))
        let early = max(1, min(1000, sessions / 10))
        var rssEarly = 0
        for session in 1...sessions {
            try simulateSession(context: context, store: store, key: key, renderer: &renderer, sink: sink)
            if session == early { rssEarly = residentKilobytes() }
        }
        let rssEnd = residentKilobytes()

        let idle = try idleDaemon(configFolder: configFolder)

        func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }
        print("kiosk-bench front: 80x24, name field, \(keystroke.values.count) keystrokes")
        print(keystroke.line("keystroke to frame written") + "  (goal: median <= 5 ms)")
        print("bytes for one typed character   \(typed) (goal <= 200); full redraw \(fullRedraw.count)")
        print(String(format: "idle daemon CPU                  %.2f %% over %d s (goal <= 1 %%)", idle.cpuPercent, idleSeconds))
        print("idle daemon RSS                  \(idle.rssKilobytes / 1024) MB (goal <= 40 MB); PSS \(idle.pssKilobytes / 1024) MB, private anonymous \(idle.anonymousKilobytes / 1024) MB (the rest is shared library text)")
        print("in-process RSS after \(early) / \(sessions) sessions: \(rssEarly / 1024) MB / \(rssEnd / 1024) MB (flat: growth \((rssEnd - rssEarly) / 1024) MB)")
        print(String(format: "ratio %.2f", Double(typed) / Double(fullRedraw.count)))
    }

    /// One resident from welcome to receipt and back, as the loop runs it.
    func simulateSession(context: FrontContext, store: KioskStore, key: ReceiptKey, renderer: inout Renderer,
                         sink: FileHandle) throws {
        let clock = ContinuousClock()
        var state = FrontState(now: clock.now)
        var events: [FrontEvent] = [.input(.enter), .input(.character("3")), .input(.character("1"))]
        events += context.config.assessment.questions.map { _ in .input(.character("1")) }
        events += "王小明".map { .input(.character($0)) } + [.input(.enter)]
        events += "13800138000".map { .input(.character($0)) } + [.input(.enter), .input(.enter)]
        events += [.input(.character("1")), .input(.character("2")), .input(.enter), .input(.character("2")), .input(.enter),
                   .input(.enter), .input(.character("1")), .input(.character("1"))]
        var queue = events
        while !queue.isEmpty {
            let effects = state.update(queue.removeFirst(), at: clock.now, context: context)
            for effect in effects {
                if case let .submit(draft) = effect {
                    let submission = try store.submit(try draft.validate(in: context.config.validationContext(now: Date())))
                    let token = ReceiptToken(receiptNumber: submission.receiptNumber, issuedAt: submission.createdAt, key: key)
                    queue.insert(.submitted(ReceiptInfo(submissionID: submission.id, number: submission.receiptNumber,
                                                        token: token.description, qr: try QREncoder.encode(token.description))), at: 0)
                }
            }
            sink.write(Data(renderer.frame(state.view(columns: 80, rows: 24, context: context).buffer)))
        }
        _ = state.update(.input(.enter), at: clock.now, context: context)
        renderer.invalidate()
    }

    /// Runs `kioskd front` on a pseudo-terminal, leaves it idle, and reads
    /// its CPU time and memory from /proc.
    func idleDaemon(configFolder: String) throws -> (cpuPercent: Double, rssKilobytes: Int, pssKilobytes: Int,
                                                     anonymousKilobytes: Int) {
        let folder = try scratchFolder(nil, "idle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = CredentialStore(stateDirectory: folder, environment: [:])
        try credentials.createKeyIfMissing(named: "seal.key")
        try credentials.createKeyIfMissing(named: "receipt.key")
        let kioskd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("kioskd").path
        let assets = URL(fileURLWithPath: configFolder).deletingLastPathComponent().appendingPathComponent("assets").path
        let front = try DaemonProcess([kioskd, "front", "--no-printer", "--config", configFolder, "--state", folder.path,
                                       "--assets", assets],
                                      environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"], notifySocket: nil,
                                      terminal: true)
        defer { front.stop() }
        Thread.sleep(forTimeInterval: 1.5)
        let pid = Int(front.pid)
        let before = cpuTicks(pid)
        Thread.sleep(forTimeInterval: Double(idleSeconds))
        let ticks = cpuTicks(pid) - before
        let percent = Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK))) / Double(idleSeconds) * 100
        let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            rollup.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        }
        return (percent, residentKilobytes(pid: pid), field("Pss"), field("Anonymous"))
    }
}
