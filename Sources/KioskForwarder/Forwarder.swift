import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskMetrics
import KioskStore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceNotify
import Synchronization

/// kioskd forwarder: sends queued requests to the centre's intake API.
///
/// Each request is leased from the queue and posted as it is stored (its
/// personal data sealed to the centre, which alone can open it), signed,
/// with its submission id as the idempotency key; the centre's reference is recorded
/// when it answers 200/201 with its signed acknowledgement. A refusal that
/// will never change (400, 409, 413, 422), signed by the centre, sets the
/// request aside as dead with the reason; anything that may pass (5xx, 401
/// from a skewed clock, an unsigned 4xx from a proxy, timeouts, connection
/// errors) returns it to the queue with exponential backoff and jitter, forever.
/// While the centre is down, one probe at a time goes out instead of one
/// try per request. Red requests go first.
/// Security: network, no terminal, no key that opens a request; logs carry
/// receipt numbers only.
/// Limits: one forwarder per kiosk (start-up takes every lease back).
public final class Forwarder: Sendable {
    let store: KioskStore
    let settings: ForwarderSettings
    let kioskCode: String
    let signer: RequestSigner
    let client: CentreClient
    let logger: Logger
    let stop: StopFlag
    let notifier: ServiceNotifier
    /// When the next heartbeat is due, and the one in flight.
    let heartbeats = Mutex<HeartbeatSchedule>(HeartbeatSchedule())
    /// Rung by new work in the database and by a stop.
    let wakeup = Wakeup()
    /// Answers, written as they arrive.
    let answers: AnswerBook
    /// Until when batches go one request at a time (a centre that answered 404 to one).
    let batchesRefusedUntil = Mutex<ContinuousClock.Instant?>(nil)
    /// When the loop last recorded itself running (ms since 1970).
    let lastRunningRecord = Atomic<Int64>(0)
    /// The kiosk's health as `kioskctl status` judges it, for the heartbeat.
    let healthReport: @Sendable () -> KioskHeartbeat.Health?

    public init(store: KioskStore, settings: ForwarderSettings, kioskCode: String, secret: [UInt8],
                client: CentreClient, logger: Logger, stop: StopFlag = StopFlag(),
                notifier: ServiceNotifier = ServiceNotifier(environment: [:]),
                healthReport: @escaping @Sendable () -> KioskHeartbeat.Health? = { nil }) {
        self.healthReport = healthReport
        self.store = store
        self.settings = settings
        self.kioskCode = kioskCode
        self.signer = RequestSigner(secret: secret)
        self.client = client
        self.logger = logger
        self.stop = stop
        self.notifier = notifier
        answers = AnswerBook(store: store, logger: logger)
    }

    /// How often an idle forwarder looks at the queue though nothing woke
    /// it: a fallback only, new work wakes it at once.
    static let idlePoll: Duration = .seconds(10)

    struct HeartbeatSchedule {
        var next = ContinuousClock.now
        var running: Task<Void, Never>?
    }

    /// What one attempt came to.
    public enum Outcome: Sendable, Equatable {
        case forwarded(reference: String)
        case refused(reason: String)
        case retry(reason: String)
    }

    /// Runs until `stop` is set; the requests in flight finish first (at
    /// most one HTTP timeout), the claimed ones not yet sent go back to the queue.
    public func run() async {
        do {
            let released = try store.releaseLeases(all: true)
            if released > 0 { logger.notice("returned leases a previous forwarder left", metadata: ["queue.released": "\(released)"]) }
        } catch {
            logger.error("cannot release leases", metadata: ["error": "\(error)"])
        }
        // New work wakes the loop: any write to the database (the front's
        // new request, `kioskctl queue retry`), and so does a stop.
        let watch = DatabaseWatch(path: store.path) { [wakeup] in wakeup.signal() }
        if watch == nil { logger.warning("cannot watch the database for new requests: looking every second instead") }
        let idlePoll: Duration = watch == nil ? .seconds(1) : Self.idlePoll
        stop.whenSet { [wakeup] in wakeup.signal() }
        var centreDown = false
        var failedProbes = 0
        notifier.ready(status: "forwarding to \(settings.centreURL.host ?? "centre")")
        store.verifyInBackground { [logger] problem in
            logger.critical("the database is damaged", metadata: ["database.problem": "\(problem)"])
        }
        while !stop.isSet {
            // The drain loop itself pings the watchdog and records that it
            // runs (also while it waits): if it hangs, both stop.
            loopTurned()
            heartbeatIfDue()
            // While the centre is down, a single probe; otherwise a stream of requests.
            let turn = await drain(probing: centreDown)
            if turn.transient {
                failedProbes += 1
                if !centreDown { logger.warning("centre unreachable: probing with one request at a time") }
                centreDown = true
                await pause(backoff(attempt: failedProbes))
            } else if centreDown, turn.forwarded > 0 {
                logger.notice("centre reachable again")
                centreDown = false
                failedProbes = 0
            } else if turn.sent == 0 {
                await waitForWork(poll: idlePoll)
            }
        }
        watch?.stop()
        notifier.stopping()
        let heartbeat = heartbeats.withLock { $0.running }
        heartbeat?.cancel()
        await heartbeat?.value
        do {
            // Leases a failed write left behind go back to the queue now.
            try store.releaseLeases(all: true)
        } catch {
            logger.error("cannot return leases", metadata: ["error": "\(error)"])
        }
        try? store.updateStatus(RoleStatusRecord(role: "forwarder", updatedAt: Date(), state: "stopped",
                                                 pid: getpid(), version: KioskVersion.current))
        logger.notice("forwarder stopped")
    }

    /// What one drain came to.
    struct Turn: Sendable, Equatable {
        var sent = 0
        var forwarded = 0
        /// An answer that may pass later (the centre may be down).
        var transient = false
    }

    /// Sends what is due until nothing is, at most `concurrency` in flight,
    /// claiming more as slots free, so one slow request holds one slot and
    /// nothing else. Each answer is recorded as it arrives. A probe sends one
    /// request. Stops sending at a transient answer or a stop; what was
    /// claimed and not sent goes back to the queue.
    func drain(probing: Bool) async -> Turn {
        let lease = settings.concurrency * max(8, settings.batchSize)
        return await send(ClaimStream(batch: probing ? 1 : lease, once: probing) { [self] in claim(limit: $0) })
    }

    /// Sends what `claims` hands out, up to `batchSize` in one POST and at
    /// most `concurrency` POSTs in flight.
    func send(_ claims: ClaimStream) async -> Turn {
        let turn = await withTaskGroup(of: [Outcome].self) { group in
            var turn = Turn()
            var inFlight = 0
            while true {
                while inFlight < settings.concurrency, !stop.isSet, !turn.transient {
                    let batch = claims.next(upTo: settings.batchSize)
                    if batch.isEmpty { break }
                    group.addTask {
                        let outcomes = await self.post(batch)
                        for (claim, outcome) in zip(batch, outcomes) {
                            self.answers.record(claim, outcome, backoff: self.backoff(attempt: claim.record.attempts))
                            Self.count(outcome)
                        }
                        return outcomes
                    }
                    inFlight += 1
                    turn.sent += batch.count
                }
                guard inFlight > 0, let outcomes = await group.next() else { break }
                inFlight -= 1
                // Each answer (or timeout) is the loop moving: a hanging
                // request pings once per HTTP timeout.
                loopTurned()
                heartbeatIfDue()
                for outcome in outcomes {
                    switch outcome {
                    case .forwarded: turn.forwarded += 1
                    case .retry: turn.transient = true
                    case .refused: break
                    }
                }
            }
            return turn
        }
        // What this turn learnt is in the queue before the loop decides on it.
        answers.flush()
        // Claimed but not sent (a stop, or the centre went away): back as they were.
        do { try store.returnClaims(claims.rest().map(\.record.id)) } catch {
            logger.error("cannot return claims", metadata: ["error": "\(error)"])
        }
        return turn
    }

    /// The label a POST is counted under: no kiosk code or id, the path's kind only.
    static func endpointName(_ path: String) -> String {
        switch path {
        case IntakePaths.submissions: "submission"
        case IntakePaths.submissionBatch: "batch"
        default: path.hasSuffix("/heartbeat") ? "heartbeat" : "progress"
        }
    }

    /// Each request's answer, counted by outcome (a refused one is set aside: dead).
    static func count(_ outcome: Outcome) {
        switch outcome {
        case .forwarded: KioskMetric.forwardRequests.counter([("outcome", "forwarded")]).increment()
        case .retry: KioskMetric.forwardRequests.counter([("outcome", "retry")]).increment()
        case .refused:
            KioskMetric.forwardRequests.counter([("outcome", "refused")]).increment()
            KioskMetric.requestsDead.counter().increment()
        }
    }

    /// Leases due requests; nothing when the queue cannot be read (logged,
    /// the loop waits and tries again).
    private func claim(limit: Int) -> [Claim] {
        do {
            return try store.claim(limit: limit, leaseFor: settings.timeout * 3 + .seconds(30))
        } catch {
            logger.error("cannot claim from the queue", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Sends requests together in one batch POST, or one at a time to a
    /// centre that does not take batches (or refused this one as a whole,
    /// so that each gets an answer of its own). One outcome per request,
    /// in order.
    public func post(_ claims: [Claim]) async -> [Outcome] {
        if claims.count > 1, batchesTaken, let outcomes = await postBatch(claims.map(\.sealed)) { return outcomes }
        var outcomes: [Outcome] = []
        for claim in claims {
            let outcome = await post(claim.sealed)
            outcomes.append(outcome)
            // The centre is away: the rest wait for the next turn rather than each time out.
            if case .retry = outcome {
                outcomes += Array(repeating: outcome, count: claims.count - outcomes.count)
                break
            }
        }
        return outcomes
    }

    /// One signed POST of several requests; nil when they should go one at
    /// a time instead (the centre predates batches, refused the batch as a
    /// whole, or it would be too large).
    func postBatch(_ submissions: [SealedSubmission]) async -> [Outcome]? {
        guard let encoded = try? submissions.map({ try $0.encoded() }) else { return nil }
        let body = SubmissionBatch.body(encoded)
        guard body.count <= SubmissionBatch.maxBodyBytes else { return nil }
        let ids = submissions.map { $0.submissionId.uuidString.lowercased() }
        do {
            let (status, answer, _, _) = try await signedPost(path: IntakePaths.submissionBatch, body: body, idempotencyKey: nil)
            switch status {
            case 200:
                guard let results = try? JSONDecoder().decode(SubmissionBatchAnswer.self, from: answer).results else {
                    return ids.map { _ in .retry(reason: "centre answered the batch without results") }
                }
                let byID = Dictionary(results.map { ($0.submissionId, $0) }, uniquingKeysWith: { first, _ in first })
                return ids.map { id in
                    guard let result = byID[id] else { return .retry(reason: "centre's answer to the batch left this request out") }
                    let receipt = result.reference.flatMap { reference in
                        result.acknowledgement.map { IntakeReceipt(reference: reference, acknowledgement: $0) }
                    }
                    return judge(result.status, receipt: receipt, detail: result.detail ?? result.title ?? "no detail",
                                 submissionID: id, refusal: result.refusal)
                }
            case 404, 405:
                refuseBatchesForAWhile(status)
                return nil
            case 300..<400, 401, 408, 429, 500...:
                // Whatever it is holds for each request of the batch.
                let outcome = judge(status, receipt: nil, detail: Self.detail(answer), submissionID: "")
                return ids.map { _ in outcome }
            default:
                logger.warning("centre refused a batch as a whole: sending its requests one at a time",
                               metadata: ["http.status": "\(status)", "batch.size": "\(submissions.count)"])
                return nil
            }
        } catch {
            return ids.map { _ in .retry(reason: "cannot reach the centre: \(Self.describe(error))") }
        }
    }

    /// A centre before batches answers 404 for their path: one request at a
    /// time for the next ten minutes (it may be upgraded meanwhile).
    private func refuseBatchesForAWhile(_ status: Int) {
        let first = batchesRefusedUntil.withLock { until in
            defer { until = ContinuousClock.now + .seconds(600) }
            return until == nil
        }
        if first {
            logger.notice("centre does not take batches: sending one request at a time",
                          metadata: ["http.status": "\(status)"])
        }
    }

    private var batchesTaken: Bool {
        batchesRefusedUntil.withLock { until in until.map { ContinuousClock.now >= $0 } ?? true }
    }

    /// One signed POST of one request: its plain fields and its envelope as
    /// stored (the forwarder cannot open it).
    public func post(_ submission: SealedSubmission) async -> Outcome {
        let body: Data
        do { body = try submission.encoded() } catch {
            return .refused(reason: "cannot encode the request: \(error)")
        }
        let id = submission.submissionId.uuidString.lowercased()
        do {
            let (status, answer, signatures, _) = try await signedPost(path: IntakePaths.submissions, body: body, idempotencyKey: id)
            let receipt = (200..<300).contains(status) ? try? JSONDecoder().decode(IntakeReceipt.self, from: answer) : nil
            return judge(status, receipt: receipt, detail: Self.detail(answer), submissionID: id,
                         refusal: signatures[RequestSigner.refusalHeader.lowercased()])
        } catch {
            return .retry(reason: "cannot reach the centre: \(Self.describe(error))")
        }
    }

    /// What the centre's answer to one request means, alone or in a batch.
    /// A 4xx sets the request aside only with the centre's signed refusal
    /// (`refusal`): anything that answers in the centre's place (a proxy's
    /// 403, 404 or 413; anyone on a plain-HTTP path) cannot make a request
    /// dead, only delay it, and the reason says so for the technician.
    func judge(_ status: Int, receipt: IntakeReceipt?, detail: String, submissionID: String,
               refusal: String? = nil) -> Outcome {
        switch status {
        case 200, 201:
            guard let receipt else { return .retry(reason: "centre answered \(status) without a signed acknowledgement") }
            // Only the centre holds this kiosk's secret: anything else that
            // answers 2xx (a proxy, a wrong URL) has not stored the request.
            guard signer.verifyAcknowledgement(receipt.acknowledgement, submissionID: submissionID, reference: receipt.reference)
            else { return .retry(reason: "centre answered \(status) with an acknowledgement not signed with this kiosk's secret") }
            return .forwarded(reference: receipt.reference)
        case 300..<400:
            return .retry(reason: "centre answered \(status) (a redirect, not followed): check forwarder.centre_url")
        case 401, 408, 429:
            return .retry(reason: "centre answered \(status): \(detail)")
        case 400..<500:
            guard let refusal, signer.verifyRefusal(refusal, submissionID: submissionID, status: status) else {
                return .retry(reason: "answered \(status) without the centre's signature (a proxy or a wrong centre_url?): \(detail)")
            }
            return .refused(reason: "centre refused with \(status): \(detail)")
        default:
            return .retry(reason: "centre answered \(status)")
        }
    }

    /// The status, the body, the answer's signature headers (lower-case
    /// names) and the timestamp this request was signed with.
    func signedPost(path: String, body: Data, idempotencyKey: String?) async throws
        -> (status: Int, body: Data, signatures: [String: String], timestamp: Int64) {
        let started = ContinuousClock.now
        let endpoint = [("endpoint", Self.endpointName(path))]
        KioskMetric.forwardPosts.counter(endpoint).increment()
        defer { KioskMetric.forwardDuration.timer(endpoint).record(duration: ContinuousClock.now - started) }
        let timestamp = Int64(Date().timeIntervalSince1970)
        var headers = [("Content-Type", "application/json"), (RequestSigner.codeHeader, kioskCode),
                       (RequestSigner.timestampHeader, String(timestamp)),
                       (RequestSigner.signatureHeader,
                        signer.signature(method: "POST", path: path, timestamp: timestamp, body: body))]
        if let idempotencyKey { headers.append((RequestSigner.idempotencyHeader, idempotencyKey)) }
        let answer = try await client.post(path: basePath + path, headers: headers, body: Array(body))
        return (answer.status, answer.body, answer.signatures, timestamp)
    }

    /// The heartbeat: queue depth, oldest pending age, dead count, printer
    /// state, last screen render, version, and the health report beside
    /// them. Failures are logged, never fatal; true when the centre took it.
    func sendHeartbeat() async -> Bool {
        do {
            let summary = try store.queueSummary()
            let statuses = try store.statuses()
            let heartbeat = KioskHeartbeat(
                kioskCode: kioskCode, sentAt: Date(), version: KioskVersion.current, queueDepth: summary.pending,
                oldestPendingSeconds: summary.oldestPending.map { Int(Date().timeIntervalSince($0)) },
                deadCount: summary[.dead], printerState: statuses.first { $0.role == "printer" }?.state,
                lastScreenRender: statuses.first { $0.role == "front" }?.updated,
                intervalSeconds: Int(settings.heartbeatInterval.components.seconds), health: healthReport())
            let (status, answer, _, _) = try await signedPost(path: IntakePaths.heartbeat(kioskCode),
                                                        body: try heartbeat.encoded(), idempotencyKey: nil)
            // A kiosk whose clock is off by more than the signing window (a
            // dead RTC battery) is refused everything: say so where a technician looks.
            let clockRefused = status == 401 && String(decoding: answer, as: UTF8.self).contains("Stale request")
            try store.updateStatus(RoleStatusRecord(
                role: "centre", updatedAt: Date(),
                state: status < 300 ? "reachable"
                    : clockRefused ? "refuses this kiosk's clock: set the date and time" : "answered \(status)"))
            let printer = statuses.first { $0.role == "printer" }?.state ?? "unknown"
            notifier.status("queue \(summary.pending) · printer \(printer) · centre \(status < 300 ? "ok" : "answered \(status)")")
            return status < 300
        } catch {
            try? store.updateStatus(RoleStatusRecord(role: "centre", updatedAt: Date(), state: "unreachable",
                                                     detail: Self.describe(error)))
            logger.warning("heartbeat not delivered", metadata: ["error": "\(Self.describe(error))"])
            notifier.status("queue \((try? store.queueSummary().pending) ?? 0) · centre unreachable")
            return false
        }
    }

    /// What became of this kiosk's requests at the centre since the last
    /// change held, page by page until it has caught up (after a backlog of
    /// 50,000, a hundred pages: this runs beside the queue, never in its way).
    /// Failures are logged, never fatal: the queue comes first.
    func fetchProgress() async {
        do {
            var cursor = try store.progressCursor()
            while !stop.isSet {
                let query = ProgressQuery(kioskCode: kioskCode, after: cursor)
                let path = IntakePaths.progress(kioskCode)
                let (status, body, signatures, timestamp) = try await signedPost(path: path, body: try query.encoded(),
                                                                                 idempotencyKey: nil)
                // A centre from before progress existed answers 404: nothing to fetch yet.
                guard status == 200 else {
                    if status != 404 { logger.warning("progress not fetched", metadata: ["http.status": "\(status)"]) }
                    return
                }
                // Only the centre's own page, for this request: a resident must never be shown a made-up step.
                guard let signature = signatures[RequestSigner.answerSignatureHeader.lowercased()],
                      signer.verifyAnswer(signature, path: path, requestTimestamp: timestamp, body: body) else {
                    logger.warning("progress not taken: the page is not signed by the centre for this request")
                    return
                }
                let page = try ProgressPage.decode(body)
                try store.recordProgress(page.changes)
                if !page.changes.isEmpty {
                    logger.info("progress fetched", metadata: ["progress.changes": "\(page.changes.count)"])
                }
                // A page that moved nothing on ends the turn too, or this would ask for it for ever.
                let next = try store.progressCursor()
                if !page.more || next <= cursor { return }
                cursor = next
            }
        } catch {
            logger.warning("progress not fetched", metadata: ["error": "\(Self.describe(error))"])
        }
    }

    /// Delay before try `attempt` (1-based): doubling from the first delay
    /// to the most, with ±20 % jitter so kiosks do not retry in step.
    func backoff(attempt: Int) -> Duration {
        let initial = settings.backoffInitial.seconds, most = settings.backoffMax.seconds
        let base = min(most, initial * pow(2, Double(max(0, attempt - 1))))
        return .milliseconds(Int64(base * Double.random(in: 0.8...1.2) * 1000))
    }

    /// Each turn of the drain loop (and of its pauses): the watchdog ping,
    /// and at most every 30 s the "running" record `kioskctl status` reads.
    private func loopTurned() {
        HangInjection.point()
        notifier.loopAlive()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let last = lastRunningRecord.load(ordering: .relaxed)
        guard now - last >= 30_000 else { return }
        lastRunningRecord.store(now, ordering: .relaxed)
        try? store.updateStatus(RoleStatusRecord(role: "forwarder", updatedAt: Date(), state: "running",
                                                 pid: getpid(), version: KioskVersion.current))
    }

    /// Sends the heartbeat when it is due, beside the loop and one at a
    /// time, so a centre that does not answer never holds up the queue.
    private func heartbeatIfDue() {
        heartbeats.withLock { schedule in
            guard ContinuousClock.now >= schedule.next else { return }
            // One still in flight (a slow centre): this beat is skipped, and
            // the next falls due an interval from now, not at once again.
            schedule.next = ContinuousClock.now + settings.heartbeatInterval
            guard schedule.running == nil else { return }
            schedule.running = Task {
                // A centre that did not take the heartbeat is not asked for progress (one warning, not two).
                if await self.sendHeartbeat() { await self.fetchProgress() }
                self.heartbeats.withLock { $0.running = nil }
            }
        }
    }

    /// Waits for new work: a write to the database, the earliest retry
    /// falling due, the next heartbeat, or `poll` at the latest; a stop ends it.
    private func waitForWork(poll: Duration) async {
        let now = ContinuousClock.now
        var deadline = min(now + poll, heartbeats.withLock { $0.next })
        if let due = try? store.nextAttemptDue() {
            deadline = min(deadline, now + .milliseconds(max(0, Int64(due.timeIntervalSinceNow * 1000))))
        }
        await waitPingingWatchdog(until: deadline, wakesOnWork: true)
    }

    /// Waits out a backoff; only a stop ends it early.
    private func pause(_ duration: Duration) async {
        await waitPingingWatchdog(until: ContinuousClock.now + duration, wakesOnWork: false)
    }

    private func waitPingingWatchdog(until deadline: ContinuousClock.Instant, wakesOnWork: Bool) async {
        let ping = notifier.watchdogInterval ?? .seconds(3600)
        while !stop.isSet, ContinuousClock.now < deadline {
            loopTurned()
            if await wakeup.wait(until: min(deadline, ContinuousClock.now + ping)), wakesOnWork { return }
        }
    }

    static func detail(_ body: Data) -> String {
        (try? JSONDecoder().decode(Problem.self, from: body)).map { $0.detail ?? $0.title } ?? "no detail"
    }

    static func describe(_ error: any Error) -> String { CentreClient.describe(error) }

    /// A centre URL with a path (`https://host/kiosk-intake`) keeps it before the API's.
    var basePath: String {
        let path = settings.centreURL.path
        return path == "/" ? "" : path.trimmingSuffix("/")
    }
}

/// Due requests, leased a batch at a time and handed out one by one, so
/// the forwarder claims again as soon as it has a free slot and nothing left.
final class ClaimStream {
    private var waiting: [Claim]
    private var exhausted = false
    private let batch: Int
    private let once: Bool
    private let claim: (Int) -> [Claim]

    /// - Parameters:
    ///   - batch: how many to lease at a time.
    ///   - once: lease one batch only (a probe, a test's given claims).
    ///   - claim: leases up to that many; empty when nothing is due.
    init(first: [Claim] = [], batch: Int, once: Bool = false, claim: @escaping (Int) -> [Claim]) {
        waiting = first.reversed()
        self.batch = batch
        self.once = once
        self.claim = claim
    }

    /// Hands out these claims only.
    convenience init(_ claims: [Claim]) {
        self.init(first: claims, batch: 0, once: true) { _ in [] }
        exhausted = true
    }

    /// Up to `count` claims (fewer when nothing more is due).
    func next(upTo count: Int) -> [Claim] {
        var taken: [Claim] = []
        while taken.count < count, let claim = next() { taken.append(claim) }
        return taken
    }

    func next() -> Claim? {
        if waiting.isEmpty, !exhausted {
            waiting = claim(batch).reversed()
            exhausted = waiting.isEmpty || once
        }
        return waiting.popLast()
    }

    /// Leased and not handed out.
    func rest() -> [Claim] {
        defer { waiting = [] }
        return waiting
    }
}

/// Set once to ask the forwarder to stop after the requests in flight.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    public var isSet: Bool { lock.withLock { value } }

    public func set() {
        let handlers = lock.withLock {
            value = true
            defer { self.handlers = [] }
            return self.handlers
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` when the flag is set (at once if it is already).
    func whenSet(_ handler: @escaping @Sendable () -> Void) {
        let already = lock.withLock {
            if !value { handlers.append(handler) }
            return value
        }
        if already { handler() }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

extension Forwarder {
    /// The client for the centre: the configured timeout and CA bundle.
    public static func makeClient(_ settings: ForwarderSettings) throws -> CentreClient {
        // A connection outlives the gap between heartbeats: an idle kiosk
        // does not set up a connection (a TLS handshake) every minute.
        let idle = Duration.seconds(max(60, settings.heartbeatInterval.components.seconds + 30))
        do {
            return try CentreClient(url: settings.centreURL, caBundle: settings.caBundle, timeout: settings.timeout,
                                    idleTimeout: idle, maxIdle: settings.concurrency)
        } catch {
            throw CentreClient.Failure(description: "cannot set up the connection to the centre: \(error)")
        }
    }
}
