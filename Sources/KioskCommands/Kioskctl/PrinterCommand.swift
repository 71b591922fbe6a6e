import ArgumentParser
import CupsPrinting
import Foundation
import KioskDomain
import KioskStore
import Logging
import ReceiptPDF
import Receipts

/// `kioskctl printer status|test` and `kioskctl reprint RECEIPT`.
struct PrinterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer", abstract: "The receipt printer: its state, a test page.",
        subcommands: [Status.self, TestPage.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the printer's state and reasons; exit 0 if it can print, 1 if not.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            // Only the configuration: asking CUPS needs no database and no key.
            let queue = try KioskEnvironment.configuration(options).printer.queue
            let status = CupsDestination(queue: queue).status()
            let jobFiles = JobFileRetention.ofServer()
            if json {
                struct Output: Encodable {
                    var queue: String
                    var condition: String
                    var reasons: [String]
                    var canPrint: Bool
                    var warnings: [String]
                }
                try JSONOutput.print(Output(queue: queue, condition: status.condition.rawValue, reasons: status.reasons,
                                            canPrint: status.canPrint, warnings: jobFiles.warning.map { [$0] } ?? []))
            } else {
                print("printer \(queue): \(status)")
                if let warning = jobFiles.warning { print("warning: \(warning)") }
            }
            if !status.canPrint { throw ExitCode(1) }
        }
    }

    struct TestPage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test", abstract: "Print a test page with a QR code and wait for it.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let database = options.stateDirectory.appendingPathComponent(KioskEnvironment.databaseName)
            // Setting up the printer comes before the first start: a test page needs no queue.
            guard FileManager.default.fileExists(atPath: database.path) else { return try printDirectly() }
            let environment = try KioskEnvironment.open(options)
            let ids = try environment.store.enqueuePrintJobs(submissionID: nil, copies: ["test"],
                                                             printer: environment.config.printer.queue)
            try waitAndReport(environment, ids)
        }

        /// Straight to CUPS and followed to its end, without the database.
        func printDirectly() throws {
            let config = try KioskEnvironment.configuration(options)
            let layout: ReceiptLayout
            do { layout = try ReceiptLayout.load(from: options.assetsDirectory.appendingPathComponent("receipt-layout.yaml")) } catch {
                throw CommandFailure(description: error.description)
            }
            let destination = CupsDestination(queue: config.printer.queue)
            let jobID: Int32
            do {
                let page = try ReceiptPDFRenderer.renderPage(try ReceiptComposer(config: config, layout: layout).testPage(now: Date()))
                jobID = try destination.submit(pdf: page.pdf, title: "test page", pageMM: (page.widthMM, page.heightMM))
            } catch {
                throw CommandFailure(description: "printer \(config.printer.queue): cannot print the test page: \(error)")
            }
            let deadline = Date().addingTimeInterval(Double(config.printer.jobTimeout.components.seconds) + 5)
            var state: CupsJobState?
            while Date() < deadline {
                state = (try? destination.jobStates())?[jobID]
                if state?.isFinished == true { break }
                Thread.sleep(forTimeInterval: 0.25)
            }
            print("print job (test, CUPS job \(jobID), before the kiosk's first start): \(state?.rawValue ?? "unknown")")
            if state != .completed { throw ExitCode(1) }
        }
    }
}

struct ReprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprint", abstract: "Print a resident's receipt again and wait for it.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The receipt number, e.g. JA0301-261129-0042-2.")
    var receipt: String

    func run() throws {
        let number: ReceiptNumber
        do { number = try ReceiptNumber(parsing: receipt) } catch {
            throw CommandFailure(description: "\(receipt.prefix(40)): \(error)")
        }
        let environment = try KioskEnvironment.open(options)
        guard let record = try environment.store.record(receipt: number), let id = UUID(uuidString: record.id) else {
            throw CommandFailure(description: "no request with receipt number \(number) on this kiosk")
        }
        // The resident's copy is drawn from the plain columns: it reprints even after the purge.
        let ids = try environment.store.enqueuePrintJobs(submissionID: id, copies: ["resident"],
                                                         printer: environment.config.printer.queue)
        try waitAndReport(environment, ids)
    }
}

/// Runs the print worker until the jobs finish or time out, then says how
/// they ended; exit 1 unless all completed.
private func waitAndReport(_ environment: KioskEnvironment, _ ids: [Int64]) throws {
    let printer = try environment.receiptPrinter(logger: Logger(label: "kioskctl"))
    let timeout = Double(environment.config.printer.jobTimeout.components.seconds)
    let jobs = printer.runUntilFinished(ids, deadline: Date().addingTimeInterval(timeout + 5))
    var ok = true
    for job in jobs {
        print("print job \(job.id ?? 0) (\(job.copy)): \(job.state.rawValue)\(job.reason.map { " - \($0)" } ?? "")")
        ok = ok && job.state == .completed
    }
    if !ok { throw ExitCode(1) }
}
