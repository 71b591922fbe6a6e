import Foundation
import ServiceNotify
import TestSupport
import Testing

/// A centre that takes requests and never answers in time: a whole batch
/// times out, one request after another. The forwarder's loop is busy,
/// not hung, so its watchdog pings must keep coming within the interval.
@Suite struct WatchdogUnderLoadTests {
    @Test func aBatchOfTimeoutsKeepsTheWatchdogFed() async throws {
        let centre = try await InProcessCentre(state: try temporaryFolder("centre"))
        try await centre.start()
        await centre.plan.set(.storeThenHang) // answers after 4 s; the kiosk gives up after 2 s
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try await centre.store.addKiosk("JA0301"), timeoutSeconds: 2)
        try kiosk.submit(40)
        let socket = try NotifySocket(folder: try temporaryFolder("notify"), abstract: true)
        let watchdog = 6.0
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": socket.name,
                                                     "WATCHDOG_USEC": String(Int(watchdog * 1_000_000))])
        let forwarder = try await kiosk.startForwarder(notifier: notifier)

        // Every POST times out after 2 s, then probes and backoffs: 18 s of waiting on the centre.
        var pings: [Date] = []
        let end = Date().addingTimeInterval(18)
        while Date() < end {
            pings += socket.drain().filter { $0 == "WATCHDOG=1" }.map { _ in Date() }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await forwarder.stop()
        await centre.stop()

        let gaps = zip(pings.dropFirst(), pings).map { $0.timeIntervalSince($1) }
        #expect(pings.count >= 3, "pings while the batch times out: \(pings.count)")
        #expect((gaps.max() ?? .infinity) < watchdog, "longest gap \(gaps.max() ?? -1) s; systemd would restart at \(watchdog) s")
    }
}
