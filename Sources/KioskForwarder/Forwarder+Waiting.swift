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

/// The loop's waits: backoff, idle, and the watchdog pinged meanwhile.
extension Forwarder {
    /// Delay before try `attempt` (1-based): doubling from the first delay
    /// to the most, with ±20 % jitter so kiosks do not retry in step.
    func backoff(attempt: Int) -> Duration {
        let initial = settings.backoffInitial.seconds, most = settings.backoffMax.seconds
        let base = min(most, initial * pow(2, Double(max(0, attempt - 1))))
        return .milliseconds(Int64(base * Double.random(in: 0.8...1.2) * 1000))
    }

    /// Each turn of the drain loop (and of its pauses): the watchdog ping,
    /// and at most every 30 s the "running" record `kioskctl status` reads.
    func loopTurned() {
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
    func heartbeatIfDue() {
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
    func waitForWork(poll: Duration) async {
        let now = ContinuousClock.now
        var deadline = min(now + poll, heartbeats.withLock { $0.next })
        if let due = try? store.nextAttemptDue() {
            deadline = min(deadline, now + .milliseconds(max(0, Int64(due.timeIntervalSinceNow * 1000))))
        }
        await waitPingingWatchdog(until: deadline, wakesOnWork: true)
    }

    /// Waits out a backoff; only a stop ends it early.
    func pause(_ duration: Duration) async {
        await waitPingingWatchdog(until: ContinuousClock.now + duration, wakesOnWork: false)
    }

    func waitPingingWatchdog(until deadline: ContinuousClock.Instant, wakesOnWork: Bool) async {
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
