import CupsPrinting
import Foundation
import KioskStore
import Logging
import Testing
@testable import KioskPrinting
@testable import Receipts

/// The printer lab `scripts/test` starts: a private cupsd with a queue to
/// ippeveprinter, which keeps every document it prints.
struct PrinterLab {
    let spool: URL
    let paperOutFlag: URL
    let queue: String

    static func fromEnvironment() throws -> PrinterLab {
        let environment = ProcessInfo.processInfo.environment
        guard environment["CUPS_SERVER"] != nil, let spool = environment["KIOSK_TEST_PRINTER_SPOOL"],
              let flag = environment["KIOSK_TEST_PAPER_OUT_FLAG"], let queue = environment["KIOSK_TEST_PRINTER_QUEUE"]
        else {
            throw LabMissing()
        }
        return PrinterLab(spool: URL(fileURLWithPath: spool), paperOutFlag: URL(fileURLWithPath: flag), queue: queue)
    }

    struct LabMissing: Error, CustomStringConvertible {
        var description: String { "no printer lab: run the tests with ./scripts/test, which starts cupsd and ippeveprinter" }
    }

    /// Documents the printer received since `before`, as PDF files.
    func documents(after before: Set<String>) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: spool.path)
            .filter { $0.hasSuffix(".pdf") && !before.contains($0) }
            .sorted()
            .map { spool.appendingPathComponent($0) }
    }

    func snapshot() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: spool.path))
    }
}

/// One printer shared by all: these tests run one after another.
@Suite(.serialized) struct CupsPrintingTests {
    func printer(_ fixture: KioskFixture) -> ReceiptPrinter {
        ReceiptPrinter(store: fixture.store, config: fixture.config, layout: fixture.layout,
                       receiptKey: fixture.receiptKey, logger: Logger(label: "test"))
    }

    @Test func aSubmittedReceiptReachesThePrinterAndItsQRVerifies() throws {
        let lab = try PrinterLab.fromEnvironment()
        // A district that turns the centre's copy on.
        let fixture = try KioskFixture(edits: [("kiosk.yaml", "centre_copy: false", "centre_copy: true")])
        let before = try lab.snapshot()
        let submission = try fixture.submit()
        let worker = printer(fixture)
        try worker.enqueue(submission)
        let ids = try fixture.store.printJobs(submissionID: submission.id).compactMap(\.id)
        #expect(ids.count == 2, "resident and centre copies")
        let jobs = worker.runUntilFinished(ids, deadline: Date().addingTimeInterval(60))
        #expect(jobs.map(\.state) == [.completed, .completed])
        #expect(jobs.allSatisfy { $0.cupsJobId != nil })

        let documents = try lab.documents(after: before)
        #expect(documents.count == 2)
        let texts = try documents.map { try pdfText($0) }
        #expect(texts.allSatisfy { $0.contains(submission.receiptNumber.description) })
        #expect(texts.allSatisfy { $0.contains("静安区南京西路街道社区事务受理服务") })
        #expect(texts.filter { $0.contains(KioskFixture.phone) }.count == 1, "only the centre copy has the phone")

        let token = fixture.token(submission)
        let scanned = try documents.flatMap { try pdfQRCodes($0) }
        #expect(scanned == [token.description, token.description])

        // Staff verify the scanned token offline with the kiosk's key.
        let kioskctl = productsDirectory().appendingPathComponent("kioskctl").path
        let verified = try runProgram(kioskctl, ["verify", try #require(scanned.first)], environment: fixture.environment)
        #expect(verified.status == 0)
        #expect(verified.output.contains("receipt number: \(submission.receiptNumber)"))
        var altered = Array(try #require(scanned.first))
        altered[altered.count - 3] = altered[altered.count - 3] == "x" ? "y" : "x"
        #expect(try runProgram(kioskctl, ["verify", String(altered)], environment: fixture.environment).status == 1)
    }

    @Test func reprintPrintsTheReceiptAgain() throws {
        let lab = try PrinterLab.fromEnvironment()
        let fixture = try KioskFixture()
        let submission = try fixture.submit()
        let before = try lab.snapshot()
        let kioskctl = productsDirectory().appendingPathComponent("kioskctl").path
        let result = try runProgram(kioskctl, ["reprint", submission.receiptNumber.description],
                                    environment: fixture.environment)
        #expect(result.status == 0)
        #expect(result.output.contains("(resident): completed"))
        let documents = try lab.documents(after: before)
        #expect(documents.count == 1)
        #expect(try pdfText(documents[0]).contains(submission.receiptNumber.description))
        #expect(try runProgram(kioskctl, ["reprint", "JA0301-261129-9999-0"], environment: fixture.environment).status == 1)
    }

    /// A technician sets up the printer before the kiosk's services ever
    /// started: the test page needs no database and creates none.
    @Test func aTestPagePrintsBeforeTheKioskHasADatabase() throws {
        let lab = try PrinterLab.fromEnvironment()
        let fixture = try KioskFixture()
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-before-first-start-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        var environment = fixture.environment
        environment["KIOSK_STATE"] = fresh.path
        let before = try lab.snapshot()
        let kioskctl = productsDirectory().appendingPathComponent("kioskctl").path
        let result = try runProgram(kioskctl, ["printer", "test"], environment: environment)
        #expect(result.status == 0 && result.output.contains("completed"), "\(result.output)")
        let documents = try lab.documents(after: before)
        #expect(documents.count == 1)
        #expect(!FileManager.default.fileExists(atPath: fresh.appendingPathComponent("kiosk.sqlite").path), "no database was made")
    }

    @Test func paperOutShowsInStatusWhileIntakeGoesOnAndTheStaleJobIsCancelled() throws {
        let lab = try PrinterLab.fromEnvironment()
        let fixture = try KioskFixture(edits: [
            ("kiosk.yaml", "job_timeout_seconds: 120", "job_timeout_seconds: 10"),
        ])
        FileManager.default.createFile(atPath: lab.paperOutFlag.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: lab.paperOutFlag) }

        let worker = printer(fixture)
        let first = try fixture.submit()
        try worker.enqueue(first)
        let start = Date()
        var status = worker.runOnce()
        while status.condition != .paperOut, Date().timeIntervalSince(start) < 20 {
            Thread.sleep(forTimeInterval: 0.25)
            status = worker.runOnce()
        }
        #expect(status.condition == .paperOut)
        #expect(status.reasons.contains { $0.hasPrefix("media-empty") })
        #expect(try fixture.store.statuses().first { $0.role == "printer" }?.state == "paper-out")

        // Intake goes on while the printer waits for paper.
        let second = try fixture.submit()
        #expect(try fixture.store.record(id: second.id)?.state == .queued)

        let ids = try fixture.store.printJobs(submissionID: first.id).compactMap(\.id)
        let jobs = worker.runUntilFinished(ids, deadline: Date().addingTimeInterval(30))
        #expect(jobs.map(\.state) == [.canceled])
        #expect(jobs.first?.reason == "not printed within 10 s")
        let cupsID = try #require(jobs.first?.cupsJobId)
        #expect(try CupsDestination(queue: lab.queue).jobStates()[cupsID] == .canceled)
        #expect(try fixture.store.auditTrail(submissionID: first.id.uuidString.lowercased()).map(\.event)
            == ["print-canceled"])
    }

    /// CUPS keeps a printed job's document for a day unless told not to:
    /// the technician is warned by `kioskctl printer status` and `status`.
    @Test func aServerThatKeepsReceiptDocumentsIsWarnedAbout() throws {
        _ = try PrinterLab.fromEnvironment()
        let fixture = try KioskFixture()
        let kioskctl = productsDirectory().appendingPathComponent("kioskctl").path
        let lab = try runProgram(kioskctl, ["printer", "status"], environment: fixture.environment)
        #expect(!lab.output.contains("warning: CUPS keeps"), "the lab runs with PreserveJobFiles No: \(lab.output)")

        for (line, shown) in [("", "PreserveJobFiles 86400"), ("PreserveJobFiles Yes\n", "PreserveJobFiles Yes")] {
            let root = fixture.state.appendingPathComponent("cups-root-\(shown.count)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try "LogLevel warn\n\(line)<Location />\n  PreserveJobFiles No\n</Location>\n"
                .write(to: root.appendingPathComponent("cupsd.conf"), atomically: true, encoding: .utf8)
            var environment = fixture.environment
            environment["CUPS_SERVERROOT"] = root.path
            let printer = try runProgram(kioskctl, ["printer", "status"], environment: environment)
            #expect(printer.output.contains("warning: CUPS keeps each printed receipt's document (\(shown))"), "\(printer.output)")
            let json = try runProgram(kioskctl, ["printer", "status", "--json"], environment: environment)
            #expect(json.output.contains("PreserveJobFiles No"), "\(json.output)")
            let status = try runProgram(kioskctl, ["status"], environment: environment)
            #expect(status.output.contains("PreserveJobFiles"), "\(status.output)")
        }
        #expect(JobFileRetention(directive: "off") == .notKept && JobFileRetention(directive: "3600") == .kept("3600"))
    }

    @Test func anUnknownQueueAndAnUnreachableCupsAreReportedPlainly() throws {
        _ = try PrinterLab.fromEnvironment()
        #expect(CupsDestination(queue: "no-such-queue").status().condition == .unknownQueue)

        let fixture = try KioskFixture()
        let kioskctl = productsDirectory().appendingPathComponent("kioskctl").path
        var environment = fixture.environment
        environment["CUPS_SERVER"] = fixture.state.appendingPathComponent("no-cupsd.sock").path
        let result = try runProgram(kioskctl, ["printer", "status", "--json"], environment: environment)
        #expect(result.status == 1)
        #expect(result.output.contains("\"condition\":\"cups-unreachable\""))
    }
}
