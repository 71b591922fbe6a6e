import Foundation
import Testing
import TestSupport
@testable import ServiceNotify
#if canImport(Glibc)
import Glibc
#endif

/// How a service's lines reach journald: native fields on its socket when
/// standard error is the journal, `<N>` text when the socket is not there,
/// plain words on anything else. No journald runs here: a socket of the
/// test's own stands in for it, as for the notify protocol.
@Suite(.serialized) struct JournalTests {
    /// `kioskd migrate` with standard error on a file the test names as the journal stream.
    func migrate(socket: String?, journal: Bool) throws -> String {
        let folder = try temporaryFolder("journal")
        let output = folder.appendingPathComponent("out")
        let errors = output.path + ".err"
        FileManager.default.createFile(atPath: errors, contents: nil)
        var status = stat()
        stat(errors, &status)
        var environment = ["KIOSK_CONFIG": shippedConfig.path, "KIOSK_STATE": folder.appendingPathComponent("state").path]
        if journal { environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)" }
        if let socket { environment["KIOSK_JOURNAL_SOCKET"] = socket }
        let process = try Subprocess([product("kioskd"), "migrate"], environment: environment, output: output)
        process.wait()
        #expect(process.exitCode == 0, "\(process.errorText)")
        return process.errorText
    }

    @Test func onTheJournalEachLineGoesAsFieldsThroughTheNativeSocket() throws {
        let journald = try NotifySocket(folder: try temporaryFolder("journald"), abstract: false)
        let stderr = try migrate(socket: journald.name, journal: true)
        let entries = journald.drain()
        let ready = try #require(entries.first { $0.contains("MESSAGE=database ready\n") }, "\(entries)")
        let fields = Set(ready.split(separator: "\n").map(String.init))
        #expect(fields.contains("PRIORITY=5") && fields.contains("SYSLOG_IDENTIFIER=kioskd-migrate"), "\(fields)")
        #expect(fields.contains { $0.hasPrefix("DATABASE_PATH=/") } && fields.contains("QUEUE_QUEUED=0"), "\(fields)")
        #expect(stderr.isEmpty, "sent once, natively: \(stderr)")
    }

    @Test func withoutTheSocketTheJournalGetsPriorityPrefixes() throws {
        let stderr = try migrate(socket: "/nonexistent/journald.sock", journal: true)
        #expect(stderr.contains("<5>kioskd-migrate: database ready"), "\(stderr)")
    }

    @Test func onATerminalOrAFileLinesSayTheLevelInWords() throws {
        let stderr = try migrate(socket: nil, journal: false)
        #expect(stderr.contains("kioskd-migrate: notice: database ready"), "\(stderr)")
        #expect(!stderr.contains("<5>"))
    }

    @Test func metadataKeysBecomeJournalFieldNames() {
        #expect(JournalFields.fieldName("receipt.number") == "RECEIPT_NUMBER")
        #expect(JournalFields.fieldName("_SYSTEMD_UNIT") == "SYSTEMD_UNIT", "no trusted field forged")
        #expect(JournalFields.fieldName("9lives") == "LIVES")
        let datagram = String(decoding: JournalFields.datagram(priority: 3, identifier: "kioskd-front", message: "m",
                                                               fields: [("http.status", "503")]), as: UTF8.self)
        #expect(datagram == "MESSAGE=m\nPRIORITY=3\nSYSLOG_IDENTIFIER=kioskd-front\nHTTP_STATUS=503\n")
        #expect(LogDestination.choose(environment: ["JOURNAL_STREAM": "1:2"],
                                      standardError: FileIdentity(device: 1, inode: 3)) == .terminal,
                "JOURNAL_STREAM of another file (a service's child writing elsewhere)")
    }
}
