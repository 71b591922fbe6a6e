import AsyncHTTPClient
import Foundation
import Hummingbird
import IntakeProtocol
import KioskCenter
import KioskConfig
import KioskDomain
import KioskForwarder
import KioskStore
import Logging

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func productsDirectory() -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if FileManager.default.fileExists(atPath: beside.appendingPathComponent("kioskd").path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug")
}

func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a program with posix_spawn; its output goes to a file.
final class Subprocess {
    let pid: pid_t
    let output: URL
    private var reaped = false

    init(_ arguments: [String], environment: [String: String] = [:], output: URL) throws {
        self.output = output
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, output.path + ".err", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let words: [String] = arguments
        let env: [String] = ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"] + environment.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // A clean signal mask and default actions, as a service manager gives.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, words[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw CocoaError(.executableLoad) }
        self.pid = pid
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    @discardableResult
    func wait() -> Int32 {
        guard !reaped else { return 0 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        reaped = true
        return status
    }

    var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    deinit {
        if !reaped {
            kill(pid, SIGKILL)
            wait()
        }
    }
}

/// Runs a program to its end and returns its standard output.
func runToEnd(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
    let process = try Subprocess(arguments, environment: environment, output: output)
    process.wait()
    return process.text
}

/// The real `kiosk-center serve` as a process.
final class CenterProcess {
    let state: URL
    private(set) var port: Int
    private var process: Subprocess?

    init(state: URL, port: Int = 0) throws {
        self.state = state
        self.port = port
        try start()
    }

    func start() throws {
        let log = state.appendingPathComponent("serve-\(UUID().uuidString.prefix(4)).log")
        let process = try Subprocess([productsDirectory().appendingPathComponent("kiosk-center").path, "serve",
                                      "--state", state.path, "--port", String(port)], output: log)
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let line = process.text.split(separator: "\n").first(where: { $0.hasPrefix("listening on") }),
               let found = Int(line.split(separator: ":").last ?? "") {
                port = found
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CocoaError(.executableLoad)
    }

    func stop(signal: Int32 = SIGTERM) {
        process?.signal(signal)
        process?.wait()
        process = nil
    }

    func addKiosk(_ code: String) throws -> String {
        try runToEnd([productsDirectory().appendingPathComponent("kiosk-center").path, "kiosk", "add", code,
                      "--state", state.path]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func openStore() throws -> CenterStore {
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        return try CenterStore(path: state.appendingPathComponent("center.sqlite").path,
                               sealKey: try credentials.key(named: "center-seal.key"))
    }

    deinit { stop(signal: SIGKILL) }
}

/// A kiosk's state folder and configuration pointed at a centre.
struct KioskSide {
    let state: URL
    let config: URL
    let configuration: KioskConfiguration
    let store: KioskStore

    init(centrePort: Int, secret: String, timeoutSeconds: Int = 2) throws {
        let root = try temporaryFolder("kiosk")
        state = root.appendingPathComponent("state")
        config = root.appendingPathComponent("config")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: config)
        let kiosk = config.appendingPathComponent("kiosk.yaml")
        try (try String(contentsOf: kiosk, encoding: .utf8))
            .replacingOccurrences(of: "centre_url: http://127.0.0.1:8740", with: "centre_url: http://127.0.0.1:\(centrePort)")
            .replacingOccurrences(of: "timeout_seconds: 10", with: "timeout_seconds: \(timeoutSeconds)")
            .replacingOccurrences(of: "backoff_initial_seconds: 5", with: "backoff_initial_seconds: 1")
            .replacingOccurrences(of: "backoff_max_seconds: 600", with: "backoff_max_seconds: 2")
            .replacingOccurrences(of: "heartbeat_seconds: 60", with: "heartbeat_seconds: 5")
            .write(to: kiosk, atomically: true, encoding: .utf8)
        configuration = try ConfigurationLoader.load(from: config)
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        try credentials.createKeyIfMissing(named: "seal.key")
        try credentials.createKeyIfMissing(named: "receipt.key")
        try (secret + "\n").write(to: credentials.url(for: "centre.key"), atomically: true, encoding: .utf8)
        store = try KioskStore(path: state.appendingPathComponent("kiosk.sqlite").path,
                               sealKey: try credentials.key(named: "seal.key"),
                               issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode,
                                                     timeZone: configuration.identity.timeZone))
    }

    var secret: [UInt8] {
        try! CredentialStore(stateDirectory: state, environment: [:]).key(named: "centre.key")
    }

    /// `count` requests, every fifth one an emergency (red).
    @discardableResult
    func submit(_ count: Int) throws -> [Submission] {
        try (0..<count).map { index in
            let answers = configuration.assessment.questions.map {
                AssessmentAnswer(questionID: $0.id,
                                 optionID: index % 5 == 0 && $0.id == "food" ? "none-today" : $0.options[0].id)
            }
            let draft = SubmissionDraft(
                language: .chinese, programmeID: "elderly-wellbeing", serviceID: "meal-assistance", answers: answers,
                name: "居民\(index)", phone: "139\(String(10_000_000 + index))", residentID: "", street: "nanjing-west",
                community: "wuding", addressDetail: "", householdSize: 1, description: "",
                consentVersion: configuration.texts.consent.version, consentedAt: Date())
            return try store.submit(try draft.validate(in: configuration.validationContext(now: Date())))
        }
    }

    func forwarder(stop: StopFlag = StopFlag()) throws -> (Forwarder, HTTPClient) {
        let client = try Forwarder.makeClient(configuration.forwarder)
        var logger = Logger(label: "test-forwarder")
        logger.logLevel = .critical
        return (Forwarder(store: store, settings: configuration.forwarder, kioskCode: configuration.identity.kioskCode,
                          secret: secret, client: client, logger: logger, stop: stop), client)
    }

    var environment: [String: String] {
        ["KIOSK_CONFIG": config.path, "KIOSK_STATE": state.path]
    }

    /// Waits without holding a thread of the concurrency pool, for tests
    /// whose forwarder runs in this process (a blocked pool starves it).
    func drained(timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let summary = try? store.queueSummary(), summary.pending == 0 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Waits until nothing is queued or sending, or the deadline passes
    /// (for a forwarder in another process).
    func waitUntilDrained(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let summary = try? store.queueSummary(), summary.pending == 0 { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }
}
