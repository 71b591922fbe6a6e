import IntakeProtocol
import CupsPrinting
import Foundation
import KioskConfig
import KioskDomain
import KioskMetrics
import KioskStore
import Logging
import Synchronization
import ReceiptPDF
import Receipts

/// The printer worker: takes queued copies from the print-jobs table,
/// renders them, hands them to CUPS and follows each job to its end.
/// On a developer's machine without CUPS it can write each receipt as a
/// PDF file into a folder instead (`Output.folder`).
///
/// Security: the resident's copy is drawn from the queue's plain columns;
/// the centre copy's contact details are sealed to the centre in the
/// database, so they come from memory (`holdForCentreCopy`) and are dropped
/// once the copy is handed to CUPS. It logs receipt numbers and job ids only,
/// never personal data.
/// Limits: libcups blocks while it talks to cupsd, so this runs on its own
/// thread or process, never on the keystroke path. A job not finished within
/// `printer.job_timeout_seconds` is cancelled and recorded as not printed:
/// the resident has gone, and a queue must not flood out when paper returns.
public final class ReceiptPrinter {
    let store: KioskStore
    let config: KioskConfiguration
    let composer: ReceiptComposer
    let receiptKey: ReceiptKey
    let destination: CupsDestination
    let output: Output
    let logger: Logger
    /// Centre copies waiting to print, by submission id: in memory only.
    private let heldForCentreCopy = Mutex<[String: ReceiptContent]>([:])

    /// Where receipts go.
    public enum Output: Sendable {
        /// The configured CUPS queue (every kiosk).
        case cups
        /// PDF files in this folder, done at once (a developer's machine without CUPS).
        case folder(URL)
    }

    public init(store: KioskStore, config: KioskConfiguration, layout: ReceiptLayout, receiptKey: ReceiptKey,
                logger: Logger, output: Output = .cups) {
        self.store = store
        self.config = config
        self.composer = ReceiptComposer(config: config, layout: layout)
        self.receiptKey = receiptKey
        self.destination = CupsDestination(queue: config.printer.queue)
        self.output = output
        self.logger = logger
    }

    /// Keeps what the centre copy shows until it is printed: the front calls
    /// this with the request it has just stored, the only moment the kiosk
    /// holds it in the clear.
    public func holdForCentreCopy(_ submission: Submission) {
        guard config.receipt.printsCentreCopy else { return }
        heldForCentreCopy.withLock { $0[submission.id.uuidString.lowercased()] = ReceiptContent(submission) }
    }

    /// Queues the copies a submitted request gets.
    public func enqueue(_ submission: Submission, now: Date = Date()) throws(StoreError) {
        holdForCentreCopy(submission)
        try store.enqueuePrintJobs(submissionID: submission.id, copies: ReceiptCopy.printed(for: config.receipt).map(\.rawValue),
                                   printer: config.printer.queue, now: now)
    }

    /// One pass: records the printer's state, follows jobs in CUPS, cancels
    /// stale ones and sends waiting ones. Returns the printer's state.
    @discardableResult
    public func runOnce(now: Date = Date()) -> PrinterStatus {
        if case let .folder(folder) = output { return writeToFolder(folder, now: now) }
        let status = destination.status()
        do {
            try store.updateStatus(RoleStatusRecord(role: "printer", updatedAt: now, state: status.condition.rawValue,
                                                    detail: status.reasons.joined(separator: ",")))
            try followSubmittedJobs(now: now)
            try sendPendingJobs(status: status, now: now)
        } catch {
            logger.error("print worker pass failed", metadata: ["error": "\(error)"])
        }
        return status
    }

    /// Runs passes until every job in `ids` has finished or `deadline`
    /// passes (`kioskctl reprint` and `printer test` wait like this).
    public func runUntilFinished(_ ids: [Int64], deadline: Date, interval: Duration = .milliseconds(250))
        -> [PrintJobRecord] {
        while true {
            runOnce()
            let jobs = ids.compactMap { try? store.printJob(id: $0) }
            if jobs.allSatisfy(\.state.isFinished) || Date() >= deadline { return jobs }
            Thread.sleep(forTimeInterval: interval.seconds)
        }
    }

    var timeout: TimeInterval { Double(config.printer.jobTimeout.components.seconds) }

    private func followSubmittedJobs(now: Date) throws {
        let open = try store.openPrintJobs()
        guard !open.isEmpty else { return }
        let states: [Int32: CupsJobState]
        do {
            states = try destination.jobStates()
        } catch {
            states = [:]
            logger.warning("cannot read job states from CUPS", metadata: ["error": "\(error)"])
        }
        for job in open {
            guard let id = job.id else { continue }
            let stale = now.timeIntervalSince(job.created) >= timeout
            if let cupsID = job.cupsJobId, let state = states[cupsID], state.isFinished {
                let finished: PrintJobState = state == .completed ? .completed : state == .aborted ? .aborted : .canceled
                try store.finishPrintJob(id, state: finished, reason: finished == .completed ? nil : "CUPS reports \(state.rawValue)",
                                         now: now)
                log(job, finished)
            } else if stale {
                if let cupsID = job.cupsJobId {
                    do { try destination.cancel(jobID: cupsID) } catch {
                        logger.warning("cannot cancel stale job", metadata: ["cups.job": "\(cupsID)", "error": "\(error)"])
                    }
                }
                try store.finishPrintJob(id, state: .canceled, reason: "not printed within \(Int(timeout)) s", now: now)
                log(job, .canceled)
            }
        }
    }

    private func sendPendingJobs(status: PrinterStatus, now: Date) throws {
        for job in try store.claimPendingPrintJobs(now: now) {
            guard let id = job.id else { continue }
            if now.timeIntervalSince(job.created) >= timeout {
                release(job)
                try store.finishPrintJob(id, state: .canceled,
                                         reason: "not printed within \(Int(timeout)) s (\(job.reason ?? status.description))",
                                         now: now)
                log(job, .canceled)
                continue
            }
            let page: ReceiptPDFRenderer.Page
            let title: String
            do {
                let document = try self.document(for: job, now: now)
                page = try ReceiptPDFRenderer.renderPage(document)
                title = document.title
            } catch {
                release(job)
                try store.finishPrintJob(id, state: .failed, reason: "cannot render: \(error)", now: now)
                log(job, .failed)
                continue
            }
            do {
                let cupsID = try destination.submit(pdf: page.pdf, title: title,
                                                            pageMM: (page.widthMM, page.heightMM))
                try store.recordCupsJob(id, cupsJobID: cupsID, now: now)
                release(job)
                logger.info("receipt sent to printer", metadata: [
                    "print.job": "\(id)", "print.copy": "\(job.copy)", "cups.job": "\(cupsID)",
                    "printer.name": "\(config.printer.queue)",
                ])
            } catch {
                // Try again on the next pass until the job goes stale.
                try store.releasePrintJob(id, reason: "\(error)", now: now)
                logger.warning("printer did not take the job", metadata: ["print.job": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// The folder output: each pending copy rendered and written as a file.
    private func writeToFolder(_ folder: URL, now: Date) -> PrinterStatus {
        let status = PrinterStatus(condition: .ready, reasons: [])
        do {
            try store.updateStatus(RoleStatusRecord(role: "printer", updatedAt: now, state: status.condition.rawValue,
                                                    detail: "pdf-folder"))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for job in try store.claimPendingPrintJobs(now: now) {
                guard let id = job.id else { continue }
                defer { release(job) }
                do {
                    let document = try self.document(for: job, now: now)
                    // "JA0301-261129-0042-2 resident" → JA0301-261129-0042-2-resident-12.pdf
                    let name = document.title.replacingOccurrences(of: " ", with: "-")
                    let file = folder.appendingPathComponent("\(name)-\(id).pdf")
                    try ReceiptPDFRenderer.render(document).write(to: file, options: .atomic)
                    try store.finishPrintJob(id, state: .completed, reason: nil, now: now)
                    log(job, .completed)
                } catch {
                    try store.finishPrintJob(id, state: .failed, reason: "cannot write the PDF: \(error)", now: now)
                    log(job, .failed)
                }
            }
        } catch {
            logger.error("print worker pass failed", metadata: ["error": "\(error)"])
        }
        return status
    }

    func document(for job: PrintJobRecord, now: Date) throws -> ReceiptDocument {
        guard let submissionID = job.submissionId else { return try composer.testPage(now: now) }
        guard let uuid = UUID(uuidString: submissionID), let record = try store.record(id: uuid) else {
            throw StoreError.notFound("submission of print job \(job.id ?? 0)")
        }
        let content: ReceiptContent
        if ReceiptCopy(rawValue: job.copy) == .centre {
            guard let held = heldForCentreCopy.withLock({ $0[submissionID] }) else {
                throw CentreCopyUnavailable()
            }
            content = held
        } else {
            content = try ReceiptContent(record)
        }
        let token = ReceiptToken(receiptNumber: content.receiptNumber, issuedAt: content.createdAt, key: receiptKey)
        return try composer.document(ReceiptCopy(rawValue: job.copy) ?? .resident, for: content, token: token)
    }

    /// A centre copy no longer needs its contact details in memory.
    private func release(_ job: PrintJobRecord) {
        guard job.copy == ReceiptCopy.centre.rawValue, let id = job.submissionId else { return }
        heldForCentreCopy.withLock { $0[id] = nil }
    }

    /// Every finished job passes here: logged and counted by outcome.
    private func log(_ job: PrintJobRecord, _ state: PrintJobState) {
        KioskMetric.printJobs.counter([("outcome", state.rawValue)]).increment()
        let level: Logger.Level = state == .completed ? .info : .warning
        logger.log(level: level, "print job \(state.rawValue)", metadata: [
            "print.job": "\(job.id ?? 0)", "print.copy": "\(job.copy)", "cups.job": "\(job.cupsJobId.map(String.init) ?? "-")",
        ])
    }
}

/// The centre copy of a request this process did not take (the front
/// restarted before it printed): its contact details are sealed to the
/// centre and cannot be drawn here.
struct CentreCopyUnavailable: Error, CustomStringConvertible {
    var description: String {
        "the centre copy's contact details are sealed to the centre; it prints only from the front that took the request"
    }
}

extension ReceiptContent {
    /// The resident's copy from the queue's plain columns.
    init(_ record: SubmissionRecord) throws {
        guard let receipt = ReceiptNumber(record.receiptNumber), let language = Language(rawValue: record.language),
              let level = HardshipLevel(rawValue: record.hardship)
        else { throw StoreError.sealing("submission row \(record.receiptNumber) holds values this version does not know") }
        self.init(receiptNumber: receipt, createdAt: Date(timeIntervalSince1970: Double(record.createdAt) / 1000),
                  language: language, programmeID: record.programmeId, serviceID: record.serviceId, level: level)
    }
}
