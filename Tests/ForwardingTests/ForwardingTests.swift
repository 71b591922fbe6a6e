import AsyncHTTPClient
import CentreIntake
import CentreStore
import CentreTestSupport
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskForwarder
import KioskStore
import Logging
import NIOCore
import ServiceNotify
import StorageSupport
import TestSupport
import Testing

/// What the in-process centre does to requests, switched by a test.
actor FaultPlan {
    enum Mode { case normal, fail500, storeThenHang }
    var mode: Mode = .normal
    private(set) var seen: [(ContinuousClock.Instant, Mode)] = []

    func set(_ mode: Mode) { self.mode = mode }

    func arrive() -> Mode {
        seen.append((ContinuousClock.now, mode))
        return mode
    }

    var total: Int { seen.count }

    func count(_ mode: Mode, after: ContinuousClock.Instant) -> Int {
        seen.filter { $0.1 == mode && $0.0 >= after }.count
    }
}

/// Faults on the real intake server: 500s, or a hang after storing (the
/// kiosk times out although the centre has the request).
struct FaultMiddleware: RouterMiddleware {
    typealias Context = IntakeController.Context
    let plan: FaultPlan

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        switch await plan.arrive() {
        case .fail500: return Response(status: .internalServerError)
        case .storeThenHang:
            let response = try await next(request, context)
            try await Task.sleep(for: .seconds(4))
            return response
        case .normal: return try await next(request, context)
        }
    }
}

/// Lets the first submission through to the store, then holds its answer
/// until opened: one request hangs while the others are answered.
actor AnswerGate {
    private var holding = false
    private var opened = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// True for the first request only.
    func holdsThis() -> Bool {
        defer { holding = true }
        return !holding
    }

    var isHolding: Bool { holding && !opened }

    func waitUntilOpen() async {
        if opened { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        opened = true
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

struct HoldFirstAnswer: RouterMiddleware {
    typealias Context = IntakeController.Context
    let gate: AnswerGate

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.contains("/submissions"), await gate.holdsThis() else { return try await next(request, context) }
        let response = try await next(request, context)
        await gate.waitUntilOpen()
        return response
    }
}

/// A centre from before batches: their path is not found (404).
struct NoBatches: RouterMiddleware {
    typealias Context = IntakeController.Context
    let refused = RefusalCount()

    actor RefusalCount {
        private(set) var value = 0
        func add() { value += 1 }
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasSuffix("/batch") else { return try await next(request, context) }
        await refused.add()
        return Response(status: .notFound)
    }
}

/// The intake server running inside the test, so faults can be injected;
/// it can be stopped and started again on the same port.
final class InProcessCentre: @unchecked Sendable {
    let store: CenterStore
    let plan = FaultPlan()
    private(set) var port = 0
    private var task: Task<Void, any Error>?

    /// The key kiosks seal to; the centre opens with its private half.
    let publicKey: CentrePublicKey
    let envelopes: IntakeEnvelopes

    let limits: IntakeLimits
    /// Run after the fault plan's middleware (a test's own fault).
    let middleware: [any MiddlewareProtocol<Request, Response, IntakeController.Context>]

    init(state: URL, backend: CenterBackend = .sqlite, limits: IntakeLimits = .standard,
         middleware: [any MiddlewareProtocol<Request, Response, IntakeController.Context>] = []) async throws {
        self.limits = limits
        self.middleware = middleware
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        try credentials.createKeyIfMissing(named: "center-seal.key")
        let intakeKey = try CentrePrivateKey(rawBytes: CentrePrivateKey.generate())
        publicKey = intakeKey.publicKey
        store = try await CenterStore(database: try await backend.makeDatabase(in: state),
                                sealKey: try credentials.key(named: "center-seal.key"))
        envelopes = IntakeEnvelopes(key: intakeKey)
    }

    func start() async throws {
        var logger = Logger(label: "test-centre")
        logger.logLevel = .critical
        let router = IntakeController(store: store, envelopes: envelopes, logger: logger, limits: limits)
            .router(middleware: [FaultMiddleware(plan: plan)] + middleware)
        (task, port) = await runOnLoopback(router, port: port, logger: logger)
    }

    func stop() async {
        task?.cancel()
        _ = await task?.result
        task = nil
    }

    /// Started, with kiosk JA0301 enrolled and `count` requests in its queue.
    static func withKiosk(submitting count: Int, timeoutSeconds: Int = 2, batchSize: Int = ForwarderSettings.standardBatchSize,
                          middleware: [any MiddlewareProtocol<Request, Response, IntakeController.Context>] = [])
        async throws -> (InProcessCentre, KioskSide, [Submission]) {
        let centre = try await InProcessCentre(state: try temporaryFolder("centre"), middleware: middleware)
        try await centre.start()
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey,
                                  secret: try await centre.store.addKiosk("JA0301"), timeoutSeconds: timeoutSeconds,
                                  batchSize: batchSize)
        return (centre, kiosk, try kiosk.submit(count))
    }
}

@Suite(.serialized) struct ForwardingTests {
    @Test func aHundredRequestsArriveExactlyOnceThroughTheRealDaemons() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"))
        let submitted = try kiosk.submit(100)
        let forwarder = try Subprocess([productsDirectory().appendingPathComponent("kioskd").path, "forwarder"],
                                       environment: kiosk.environment, output: kiosk.state.appendingPathComponent("forwarder.log"))
        #expect(kiosk.waitUntilDrained(timeout: 60))
        forwarder.signal(SIGTERM)
        #expect(forwarder.wait() == 0, "SIGTERM stops the forwarder cleanly")

        let counts = try await centre.openCentreStore().submissionCounts()
        #expect(counts.total == 100 && counts.distinctIDs == 100)
        let forwarded = try kiosk.store.records(in: .forwarded, limit: 1000)
        #expect(forwarded.count == 100)
        #expect(Set(forwarded.compactMap(\.centreReference)).count == 100)
        // Red went first: the 20 red requests went together in the first
        // POST, so the centre numbered them one after another (POSTs in
        // flight together may overtake each other, the requests in one may not).
        let redReferences = forwarded.filter { $0.hardship == "red" }.compactMap { Int($0.centreReference!.dropFirst()) }
        #expect(redReferences.count == 20)
        #expect(redReferences.max()! - redReferences.min()! == 19, "\(redReferences.sorted())")
        // The centre holds what the resident entered.
        let sample = submitted[7]
        let record = try #require(try kiosk.store.record(id: sample.id))
        let body = try #require(try await centre.openCentreStore().body(ofReference: record.centreReference!))
        #expect(body.applicant.name == sample.request.applicant.name && body.receiptNumber == record.receiptNumber)
        #expect(try await centre.openCentreStore().heartbeatCount(kiosk: "JA0301") >= 1)
    }

    @Test func errorsHangsAndRestartsDeliverEverythingExactlyOnceWithASingleProbe() async throws {
        let centre = try await InProcessCentre(state: try temporaryFolder("centre"))
        try await centre.start()
        let secret = try await centre.store.addKiosk("JA0301")
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: secret)
        try kiosk.submit(30)
        await centre.plan.set(.fail500)
        let forwarder = try await kiosk.startForwarder()

        // The centre fails: after the first turn (the 30 in one batch POST),
        // one probe at a time.
        let firstBatchDeadline = ContinuousClock.now + .seconds(20)
        while await centre.plan.total < 1, ContinuousClock.now < firstBatchDeadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        // Past the first batch's answer; then a window of outage in which
        // probes are counted (a duration the test measures, not a wait).
        try await Task.sleep(for: .milliseconds(200))
        let probingFrom = ContinuousClock.now
        try await Task.sleep(for: .seconds(4))
        let probes = await centre.plan.count(.fail500, after: probingFrom)
        #expect(probes >= 1 && probes <= 6, "probes in 4 s of outage: \(probes)")
        #expect(try kiosk.store.queueSummary()[.forwarded] == 0)

        // The centre stores but answers too late: the kiosk must resend, the centre must not store twice.
        await centre.plan.set(.storeThenHang)
        let hangFrom = ContinuousClock.now
        let resendDeadline = ContinuousClock.now + .seconds(60)
        // A send that was stored but answered too late, and the resend after it.
        while await centre.plan.count(.storeThenHang, after: hangFrom) < 2, ContinuousClock.now < resendDeadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await centre.plan.count(.storeThenHang, after: hangFrom) >= 2, "a late answer was followed by a resend")

        // The centre goes away and comes back on the same port.
        await centre.stop()
        try await Task.sleep(for: .seconds(2))  // the outage's length: the kiosk meets a closed port meanwhile
        await centre.plan.set(.normal)
        try await centre.start()

        #expect(await kiosk.drained(timeout: 60))
        try await forwarder.stop()

        let counts = try await centre.store.submissionCounts()
        #expect(counts.total == 30 && counts.distinctIDs == 30)
        let forwarded = try kiosk.store.records(in: .forwarded, limit: 100)
        #expect(forwarded.count == 30)
        for record in forwarded {
            let body = try #require(try await centre.store.body(ofReference: record.centreReference!))
            #expect(body.submissionId.uuidString.lowercased() == record.id, "the reference names this very request")
        }
        #expect(forwarded.contains { $0.attempts > 1 })
    }

    /// A lost kiosk is revoked: what it sends is refused (and waits on the
    /// kiosk, never lost); given a new secret by `kiosk rotate`, it drains.
    @Test func aRevokedKioskIsRefusedUntilItIsGivenANewSecret() async throws {
        let centre = try await InProcessCentre(state: try temporaryFolder("centre"))
        try await centre.start()
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try await centre.store.addKiosk("JA0301"))
        try kiosk.submit(1)
        #expect(try await kiosk.forwardUntilDrained(timeout: 20))
        try await centre.store.revokeKiosk("JA0301")
        try kiosk.submit(2)
        #expect(!(try await kiosk.forwardUntilDrained(timeout: 3)), "a revoked kiosk delivers nothing")
        let waiting = try kiosk.store.records(in: .queued)
        #expect(waiting.count == 2 && waiting.allSatisfy { $0.lastError?.contains("401") == true }, "\(waiting.map(\.lastError))")
        let secret = try await centre.store.rotateKiosk("JA0301")
        try writeSecret(secret + "\n", to: kiosk.state.appendingPathComponent("credentials/centre.key"))
        // Retries back off for at most 2 s here (forwarder.backoff_max_seconds in KioskSide).
        #expect(try await kiosk.forwardUntilDrained(timeout: 20))
        #expect(try await centre.store.submissionCounts().total == 3)
    }

    @Test func aReusedIdWithAnotherBodyIsSetAsideAndTheOthersGoOn() async throws {
        let (centre, kiosk, submissions) = try await InProcessCentre.withKiosk(submitting: 5)
        // The centre already holds the first id with different content.
        var altered = IntakeSubmission(submissions[0])
        altered.description = "something else"
        _ = try await centre.store.accept(altered)

        #expect(try await kiosk.forwardUntilDrained(timeout: 30))

        let dead = try kiosk.store.records(in: .dead)
        #expect(dead.map(\.id) == [submissions[0].id.uuidString.lowercased()])
        #expect(dead.first?.deadReason?.contains("409") == true)
        #expect(try kiosk.store.records(in: .forwarded).count == 4)
    }

    /// The centre holds another request under the first one's receipt
    /// number (a kiosk restored from an old copy numbers again): that one is
    /// set aside with the reason, the others go on, nothing is retried for ever.
    @Test func aReceiptNumberTheCentreHoldsForAnotherRequestIsSetAside() async throws {
        let (centre, kiosk, submissions) = try await InProcessCentre.withKiosk(submitting: 3)
        var earlier = IntakeSubmission(submissions[0])
        earlier.submissionId = UUID()
        _ = try await centre.store.accept(earlier)

        #expect(try await kiosk.forwardUntilDrained(timeout: 30))
        let dead = try kiosk.store.records(in: .dead)
        #expect(dead.map(\.id) == [submissions[0].id.uuidString.lowercased()])
        #expect(dead.first?.deadReason?.contains("already held by another request") == true, "\(dead)")
        #expect(try kiosk.store.records(in: .forwarded).count == 2)
        await centre.stop()
    }

    /// Nothing listens on the centre's port: the forwarder says so at once,
    /// in those words, instead of retrying the connect until its timeout.
    @Test func aRefusedConnectionIsReportedAsRefused() async throws {
        // Port 1 on loopback: nothing listens there.
        let kiosk = try KioskSide(centrePort: 1, centreKey: try CentrePrivateKey(rawBytes: Array(repeating: 9, count: 32)).publicKey,
                                  secret: RequestSigner.newSecret())
        let submission = try kiosk.submit(1)[0]
        let client = try Forwarder.makeClient(kiosk.configuration.forwarder)
        let forwarder = Forwarder(store: kiosk.store, settings: kiosk.configuration.forwarder,
                                  kioskCode: kiosk.configuration.identity.kioskCode, secret: kiosk.secret, client: client,
                                  logger: Logger(label: "test"), stop: StopFlag(), notifier: ServiceNotifier(environment: [:]))
        let outcome = await forwarder.post(try #require(try kiosk.store.sealedSubmission(id: submission.id)))
        try await client.shutdown()
        guard case let .retry(reason) = outcome else {
            Issue.record("a refused connection is retried later: \(outcome)")
            return
        }
        #expect(reason.contains("connection refused"), "\(reason)")
    }

    @Test func oneHangingRequestDoesNotHoldBackTheOthersAcknowledgements() async throws {
        // Batches of 4: the first POST (4 requests) hangs, the other 36 go on around it.
        let gate = AnswerGate()
        let (centre, kiosk, _) = try await InProcessCentre.withKiosk(submitting: 40, timeoutSeconds: 60, batchSize: 4,
                                                                     middleware: [HoldFirstAnswer(gate: gate)])
        let forwarder = try await kiosk.startForwarder()

        // The other 36 are answered and recorded while the first batch still hangs.
        var summary = try kiosk.store.queueSummary()
        let deadline = Date().addingTimeInterval(30)
        while summary[.forwarded] < 36, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            summary = try kiosk.store.queueSummary()
        }
        #expect(await gate.isHolding)
        #expect(summary[.forwarded] == 36 && summary[.sending] == 4, "\(summary.counts)")

        await gate.open()
        #expect(await kiosk.drained(timeout: 30))
        #expect(try kiosk.store.queueSummary()[.forwarded] == 40)
        #expect(try await centre.store.submissionCounts().total == 40)
        try await forwarder.stop()
        await centre.stop()
    }

    /// A centre not yet upgraded answers 404 to a batch: the forwarder
    /// sends the same requests one at a time, and does not try a batch
    /// again on every turn.
    @Test func aCentreWithoutBatchesGetsTheRequestsOneAtATime() async throws {
        let noBatches = NoBatches()
        let (centre, kiosk, _) = try await InProcessCentre.withKiosk(submitting: 20, middleware: [noBatches])
        let forwarder = try await kiosk.startForwarder()
        #expect(await kiosk.drained(timeout: 30))
        try kiosk.submit(20)
        #expect(await kiosk.drained(timeout: 30))
        try await forwarder.stop()
        #expect(try kiosk.store.queueSummary()[.forwarded] == 40)
        let counts = try await centre.store.submissionCounts()
        #expect(counts.total == 40 && counts.distinctIDs == 40)
        #expect(await noBatches.refused.value == 1, "one refused batch, then one at a time")
        await centre.stop()
    }

    @Test func aRequestStoredWhileTheForwarderIdlesIsSentAtOnce() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        // No heartbeat due for ten minutes: only the new request can wake the forwarder.
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"),
                                  heartbeatSeconds: 600)
        let forwarder = try await kiosk.startForwarder()
        try await Task.sleep(for: .seconds(1))  // a second of an empty queue: the forwarder is idle when the request comes
        try kiosk.submit(1)
        // Well before the fallback look at the queue (every 10 s).
        #expect(await kiosk.drained(timeout: 4))
        try kiosk.submit(1)
        #expect(await kiosk.drained(timeout: 4))
        try await forwarder.stop()
        #expect(try await centre.openCentreStore().submissionCounts().total == 2)
    }

    /// One request a POST, and batches as configured: in both, what the
    /// centre answered is recorded as it comes, so a kill resends at most
    /// what was in flight (and in the answer write under way).
    @Test(arguments: [1, ForwarderSettings.standardBatchSize])
    func killingTheForwarderAtRandomMomentsNeverLosesOrDuplicates(batchSize: Int) async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"),
                                  batchSize: batchSize)
        try kiosk.submit(1000)
        var generator = SystemRandomNumberGenerator()
        let kioskd = productsDirectory().appendingPathComponent("kioskd").path
        for _ in 0..<50 {
            let forwarder = try Subprocess([kioskd, "forwarder"], environment: kiosk.environment,
                                           output: kiosk.state.appendingPathComponent("forwarder.log"))
            try await Task.sleep(for: .seconds(Double.random(in: 0.05...0.4, using: &generator)))
            forwarder.signal(SIGKILL)
            forwarder.wait()
        }
        let last = try Subprocess([kioskd, "forwarder"], environment: kiosk.environment,
                                  output: kiosk.state.appendingPathComponent("forwarder.log"))
        #expect(kiosk.waitUntilDrained(timeout: 120))
        last.signal(SIGTERM)
        last.wait()

        let centreStore = try await centre.openCentreStore()
        let counts = try await centreStore.submissionCounts()
        #expect(counts.total == 1000 && counts.distinctIDs == 1000 && counts.distinctReceipts == 1000)
        #expect(try kiosk.store.records(in: .forwarded, limit: 2000).count == 1000)
        #expect(try kiosk.store.integrityCheck() == ["ok"])
        await #expect(try centreStore.integrityCheck() == ["ok"])
        // Answers are written as they arrive: a kill loses at most those in
        // flight and those in the write under way, not a whole lease's.
        let log = try String(contentsOf: URL(fileURLWithPath: centre.log.path + ".err"), encoding: .utf8)
        #expect(log.components(separatedBy: "submission received").count - 1 == 1000)
        let resends = log.components(separatedBy: "submission already held; answered with its reference").count - 1
        let inFlight = kiosk.configuration.forwarder.concurrency * batchSize
        #expect(resends <= 50 * 2 * inFlight, "\(resends) requests were sent again after a kill")
    }
}

@Suite struct OfflineExportTests {
    @Test func exportThenImportTwiceStoresEachRequestOnceAndTheKioskCatchesUpLater() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"))
        try kiosk.submit(12)
        centre.stop()  // the kiosk is cut off

        let bundle = kiosk.state.appendingPathComponent("usb-trip.json")
        let kioskctl = productsDirectory().appendingPathComponent("kioskctl").path
        let exported = try runToEnd([kioskctl, "export", "--out", bundle.path], environment: kiosk.environment).stdout
        #expect(exported.contains("exported 12 request(s)"))
        let text = try String(contentsOf: bundle, encoding: .utf8)
        #expect(!text.contains("居民") && !text.contains("139100000"), "the bundle is sealed")

        let first = try centre.command(["import", bundle.path]).stdout
        let second = try centre.command(["import", bundle.path]).stdout
        #expect(first.contains("12 new, 0 already held"))
        #expect(second.contains("0 new, 12 already held"))
        #expect(try await centre.openCentreStore().submissionCounts().total == 12)

        // An altered bundle is refused whole.
        var tampered = try JSONDecoder().decode(OfflineBundle.self, from: Data(contentsOf: bundle))
        tampered.kioskCode = "JA0302"
        try JSONEncoder().encode(tampered).write(to: bundle)
        #expect(try centre.command(["import", bundle.path]).stdout.isEmpty)

        // When the kiosk is back online, the forwarder catches up without duplicates.
        try centre.start()
        #expect(try await kiosk.forwardUntilDrained(timeout: 30))
        #expect(try await centre.openCentreStore().submissionCounts().total == 12)
        #expect(try kiosk.store.records(in: .forwarded).count == 12)
    }
}
