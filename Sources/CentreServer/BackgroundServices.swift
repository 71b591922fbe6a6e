import CentreConfig
import CentreStore
import Foundation
import Logging
import ServiceLifecycle
import ServiceNotify

/// Erases closed cases' personal data and old heartbeats past retention:
/// at start, then daily.
struct RetentionService: Service {
    let store: CenterStore
    let retention: CenterRetention
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let cutoff = Date().addingTimeInterval(-Double(retention.eraseClosedAfterDays) * 86400)
            do {
                let erased = try await store.eraseClosedCases(closedBefore: cutoff, actor: "retention")
                if erased > 0 { logger.notice("erased closed cases past retention", metadata: ["cases.count": "\(erased)"]) }
            } catch {
                logger.error("cannot erase closed cases past retention", metadata: ["error": "\(error)"])
            }
            do {
                try await store.deleteHeartbeats(receivedBefore: Date().addingTimeInterval(-Double(retention.keepHeartbeatsDays) * 86400))
            } catch {
                logger.error("cannot delete old heartbeats", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(86400)) }
        }
    }
}

/// The centre's requests wait on its database; the watchdog pings only after
/// a read of it returns, so a wedged store stops them and systemd restarts us.
struct WatchdogService: Service {
    let store: CenterStore
    let notifier: ServiceNotifier

    func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if (try? await store.probe()) != nil { notifier.loopAlive() }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval / 2) }
        }
    }
}
