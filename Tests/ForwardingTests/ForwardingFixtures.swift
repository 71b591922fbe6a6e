import AsyncHTTPClient
import Foundation
import Hummingbird
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskForwarder
import KioskStore
import Logging
import ServiceNotify
import StorageSupport
import TestSupport

/// A kiosk's state folder and configuration pointed at a centre.
struct KioskSide {
    let state: URL
    let config: URL
    let configuration: KioskConfiguration
    let store: KioskStore

    /// - Parameters:
    ///   - centreURL: the centre's URL (default plain HTTP to `centrePort` on loopback).
    ///   - caBundle: forwarder.ca_bundle (a test CA for an HTTPS centre).
    ///   - centreKey: the centre's public key the kiosk seals to.
    ///   - batchSize: forwarder.batch_size (1: one request a POST).
    init(centrePort: Int, centreKey: CentrePublicKey, secret: String, timeoutSeconds: Int = 2, centreURL: String? = nil,
         caBundle: String? = nil, heartbeatSeconds: Int = 5, batchSize: Int = ForwarderSettings.standardBatchSize,
         kioskCode: String = "JA0301") throws {
        let root = try temporaryFolder("kiosk")
        state = root.appendingPathComponent("state")
        config = root.appendingPathComponent("config")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: config)
        let kiosk = config.appendingPathComponent("kiosk.yaml")
        try (try String(contentsOf: kiosk, encoding: .utf8))
            .replacingOccurrences(of: "centre_url: http://127.0.0.1:8740",
                                  with: "centre_url: \(centreURL ?? "http://127.0.0.1:\(centrePort)")")
            .replacingOccurrences(of: #"ca_bundle: """#, with: "ca_bundle: \"\(caBundle ?? "")\"")
            .replacingOccurrences(of: "timeout_seconds: 10", with: "timeout_seconds: \(timeoutSeconds)")
            .replacingOccurrences(of: "backoff_initial_seconds: 5", with: "backoff_initial_seconds: 1")
            .replacingOccurrences(of: "backoff_max_seconds: 600", with: "backoff_max_seconds: 2")
            .replacingOccurrences(of: "heartbeat_seconds: 60", with: "heartbeat_seconds: \(heartbeatSeconds)")
            .replacingOccurrences(of: "batch_size: 32", with: "batch_size: \(batchSize)")
            .replacingOccurrences(of: "  code: JA0301", with: "  code: \(kioskCode)")
            .write(to: kiosk, atomically: true, encoding: .utf8)
        configuration = try ConfigurationLoader.load(from: config)
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        try credentials.createKeyIfMissing(named: "receipt.key")
        try writeSecret(secret + "\n", to: credentials.url(for: "centre.key"))
        try credentials.writeCentrePublicKey(centreKey, named: "centre-public.key")
        // The front's view: it seals to the centre and opens nothing.
        store = try KioskStore(path: state.appendingPathComponent("kiosk.sqlite").path, centreKey: centreKey,
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

    /// The forwarder running in this process until `stop()`.
    func startForwarder(notifier: ServiceNotifier = ServiceNotifier(environment: [:])) async throws -> RunningForwarder {
        let client = try Forwarder.makeClient(configuration.forwarder)
        var logger = Logger(label: "test-forwarder")
        logger.logLevel = .critical
        let flag = StopFlag()
        let forwarder = Forwarder(store: store, settings: configuration.forwarder, kioskCode: configuration.identity.kioskCode,
                                  secret: secret, client: client, logger: logger, stop: flag, notifier: notifier)
        return RunningForwarder(flag: flag, task: Task { await forwarder.run() }, client: client)
    }

    /// Runs a forwarder in this process until the queue is empty (or `timeout`); whether it emptied.
    func forwardUntilDrained(timeout: Double) async throws -> Bool {
        let forwarder = try await startForwarder()
        let drained = await self.drained(timeout: timeout)
        try await forwarder.stop()
        return drained
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

/// A forwarder running in the test's process.
struct RunningForwarder {
    let flag: StopFlag
    let task: Task<Void, Never>
    let client: CentreClient

    /// SIGTERM's path: the flag, the loop's end, then the HTTP client.
    func stop() async throws {
        flag.set()
        await task.value
        try await client.shutdown()
    }
}

/// Runs a router as an HTTP server on loopback (`port` 0: any free one) until
/// the task is cancelled; returns once it listens, with the port it got.
func runOnLoopback<Context: RequestContext>(_ router: Router<Context>, port: Int, logger: Logger) async
    -> (Task<Void, any Error>, Int) where Context.Source == ApplicationRequestContextSource {
    let (stream, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                          onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
    let task = Task { try await app.run() }
    var bound = 0
    for await listening in stream {
        bound = listening
        break
    }
    return (task, bound)
}
