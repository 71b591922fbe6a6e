import Foundation
import IntakeProtocol
import TestSupport
import Testing

/// A database damaged inside (its header still fine): the daemons say READY
/// at once, find the damage in their background check, and the technician
/// sees it in the log and in `kioskctl status`; `kioskd migrate` refuses.
@Suite struct DamagedDatabaseTests {
    @Test func damageFoundAfterStartUpIsLoggedAndMakesStatusDown() throws {
        let (state, environment): (URL, [String: String]) = try {
            let kiosk = try KioskSide(centrePort: 9, centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey, secret: String(repeating: "ab", count: 32), timeoutSeconds: 1)
            try kiosk.submit(400)
            return (kiosk.state, kiosk.environment)
        }()
        let database = state.appendingPathComponent("kiosk.sqlite")
        #expect(try runToEnd(["/usr/bin/sqlite3", database.path, "PRAGMA wal_checkpoint(TRUNCATE);"]).status == 0)
        // Garbage over pages in the middle of the file: table and index pages.
        let handle = try FileHandle(forUpdating: database)
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: (size / 2) & ~4095)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 3 * 4096))
        try handle.close()

        let folder = try temporaryFolder("damaged")
        let socket = try NotifySocket(folder: folder, abstract: false)
        let forwarder = try Subprocess([product("kioskd"), "forwarder"],
                                       environment: environment.merging(["NOTIFY_SOCKET": socket.name]) { $1 },
                                       output: folder.appendingPathComponent("forwarder.log"))
        let messages = socket.receive(timeout: 15) { $0.contains { $0.hasPrefix("READY=1") } }
        #expect(messages.contains { $0.hasPrefix("READY=1") }, "start-up does not wait for the check")
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, !forwarder.errorText.contains("the database is damaged") { Thread.sleep(forTimeInterval: 0.1) }
        #expect(forwarder.errorText.contains("kioskd-forwarder: critical: the database is damaged"))

        let status = try runToEnd([product("kioskctl"), "status"], environment: environment)
        // Down, and why: the check's finding, or SQLite's own when status reads the damaged pages.
        #expect(status.status == 2, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("database damaged") || status.stdout.contains("malformed"), "\(status.stdout)\(status.stderr)")
        forwarder.signal(SIGKILL)
        forwarder.wait()

        let migrate = try runToEnd([product("kioskd"), "migrate"], environment: environment)
        #expect(migrate.status == 1 && migrate.stderr.contains("is damaged"), "\(migrate.stderr)")
    }
}
