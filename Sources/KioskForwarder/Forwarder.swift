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
