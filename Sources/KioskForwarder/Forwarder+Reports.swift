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

/// What the kiosk reports besides requests: its heartbeat, and its
/// question about what became of its requests.
extension Forwarder {
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
}
