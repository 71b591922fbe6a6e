import Foundation
import KioskDomain
@testable import KioskForwarder
import KioskStore
import Testing
import TestSupport

@Suite struct WakeupTests {
    @Test func aRingWhileNobodyWaitsIsKeptForTheNextWait() async {
        let wakeup = Wakeup()
        wakeup.signal()
        #expect(await wakeup.wait(until: .now + .seconds(30)))
        // Kept once only: the next wait runs to its deadline.
        #expect(await wakeup.wait(until: .now + .milliseconds(50)) == false)
    }

    @Test func aRingEndsAWaitAndADeadlineEndsItUnrung() async throws {
        let wakeup = Wakeup()
        let ringer = Task {
            try await Task.sleep(for: .milliseconds(100))
            wakeup.signal()
        }
        #expect(await wakeup.wait(until: .now + .seconds(30)))
        try await ringer.value
        #expect(await wakeup.wait(until: .now + .milliseconds(20)) == false)
    }

    @Test func aWriteToTheDatabaseByAnotherConnectionIsSeen() async throws {
        let folder = try temporaryFolder("watch")
        let path = folder.appendingPathComponent("kiosk.sqlite").path
        let issuer = ReceiptIssuer(kioskCode: "JA0301", timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        let writer = try KioskStore(path: path, centreKey: nil, issuer: issuer)
        let wakeup = Wakeup()
        let watch = try #require(DatabaseWatch(path: path) { wakeup.signal() })
        defer { watch.stop() }
        // Another file in the folder is not the database.
        try Data("x".utf8).write(to: folder.appendingPathComponent("other.txt"))
        #expect(await wakeup.wait(until: .now + .milliseconds(300)) == false)
        try writer.updateStatus(RoleStatusRecord(role: "front", updatedAt: Date(), state: "running"))
        #expect(await wakeup.wait(until: .now + .seconds(10)))
    }
}
