import CentreTestSupport
import Foundation
import KioskStore
import TestSupport
import Testing

/// A kiosk whose clock is two hours slow (its RTC battery died and no time
/// server answered): the real forwarder runs under libfaketime. The centre
/// refuses its signed requests, notes why, and its fleet page says so; the
/// kiosk's own status says so; nothing is lost, and with the clock set right
/// the queue drains and the kiosk is ok again.
@Suite(.serialized) struct ClockSkewTests {
    static let faketime = "/usr/bin/faketime"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: faketime), "needs faketime (scripts/bootstrap)"))
    func aKioskTwoHoursSlowIsShownOnTheFleetPageAndLosesNothing() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-clock"))
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"),
                                  heartbeatSeconds: 5)
        _ = try kiosk.submit(3)
        let kioskd = productsDirectory().appendingPathComponent("kioskd").path
        var environment = kiosk.environment
        // Only the wall clock is slow, as with a dead RTC; the monotonic clock runs on.
        environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        let slow = try Subprocess([Self.faketime, "-f", "-2h", kioskd, "forwarder"], environment: environment,
                                  output: kiosk.state.appendingPathComponent("forwarder-slow.log"))
        let store = try await centre.openCentreStore()
        var fleet = try await store.fleetKiosk("JA0301")
        #expect(await waitFor(20) {
            fleet = try? await store.fleetKiosk("JA0301")
            return fleet?.problems.contains { if case .clockRefused = $0 { true } else { false } } == true
        }, "the fleet page shows the refused clock: \(String(describing: fleet?.problems))")
        #expect(fleet?.health == .down)
        let offset = try #require(fleet?.problems.compactMap { if case let .clockRefused(offset) = $0 { offset } else { nil } }.first)
        #expect((-7300 ... -7100).contains(offset), "two hours slow: \(offset)")
        #expect(waitFor(20) {
            (try? kiosk.store.statuses())?.contains { $0.role == "centre" && $0.state.contains("refuses this kiosk's clock") } == true
        }, "the kiosk records why the centre refuses it")
        let status = try runToEnd([productsDirectory().appendingPathComponent("kioskctl").path, "status"],
                                  environment: kiosk.environment)
        #expect(status.stdout.contains("centre refuses this kiosk's clock"), "\(status.stdout)")
        #expect(try kiosk.store.queueSummary().pending == 3, "nothing is lost or set aside")
        #expect(try await store.submissionCounts().total == 0)
        // The wrapper forks kioskd and does not pass a signal on: stop kioskd itself, and the wrapper ends with it
        // (a SIGTERM to the wrapper alone left the slow forwarder running after the test).
        let stopped = try runToEnd(["/usr/bin/pkill", "-TERM", "-P", String(slow.pid)])
        #expect(stopped.status == 0, "the slow forwarder was running under the wrapper")
        slow.wait()

        // The clock set right: everything arrives and the kiosk is ok again.
        let forwarder = try Subprocess([kioskd, "forwarder"], environment: kiosk.environment,
                                       output: kiosk.state.appendingPathComponent("forwarder.log"))
        #expect(kiosk.waitUntilDrained(timeout: 30))
        #expect(await waitFor(20) { (try? await store.fleetKiosk("JA0301"))?.problems.contains { if case .clockRefused = $0 { true } else { false } } == false })
        #expect(try await store.submissionCounts().total == 3)
        forwarder.signal(SIGTERM)
        forwarder.wait()
    }

    func waitFor(_ seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return await condition()
    }

    func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return condition()
    }
}
