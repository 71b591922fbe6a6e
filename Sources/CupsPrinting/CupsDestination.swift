import CCups
import Foundation

/// One CUPS queue, through libcups' destination API. This type alone owns
/// libcups pointers: each call fetches the destination, uses it and frees it.
///
/// libcups keeps a default connection per thread and blocks while it talks
/// to cupsd, so callers use one `CupsDestination` from one worker thread,
/// never from the keystroke path. `CUPS_SERVER` picks the server as usual.
public final class CupsDestination {
    public let queue: String

    public init(queue: String) {
        self.queue = queue
    }

    /// The queue's state and reasons, or why it cannot be known.
    public func status() -> PrinterStatus {
        do {
            return try withDestination { dest in
                let options = Self.options(of: dest)
                let state = Int(options["printer-state"] ?? "") ?? 3
                let reasons = (options["printer-state-reasons"] ?? "").split(separator: ",").map(String.init)
                var status = PrinterStatus(ippState: state, reasons: reasons)
                if options["printer-is-accepting-jobs"] == "false", status.canPrint {
                    status = PrinterStatus(condition: .stopped, reasons: status.reasons + ["not-accepting-jobs"])
                }
                return status
            }
        } catch {
            return PrinterStatus(condition: error.isUnreachable ? .cupsUnreachable : .unknownQueue, reasons: [])
        }
    }

    /// Sends one PDF document as a new job; returns the CUPS job id once
    /// cupsd has accepted the whole document.
    /// Sends one PDF as a job. `pageMM` (width, length) asks for media of
    /// exactly the receipt's size (the roll, cut at its length) when the
    /// printer offers it; otherwise the queue's default media is used, since a
    /// size the printer refuses would cancel the job.
    public func submit(pdf: Data, title: String, pageMM: (width: Double, length: Double)? = nil) throws(PrintError)
        -> Int32 {
        let queue = self.queue
        return try withDestination { dest throws(PrintError) -> Int32 in
            guard let info = cupsCopyDestInfo(nil, dest) else {
                throw Self.lastError("cupsCopyDestInfo(\(queue))")
            }
            defer { cupsFreeDestInfo(info) }
            var jobID: Int32 = 0
            var options: UnsafeMutablePointer<cups_option_t>?
            var optionCount: Int32 = 0
            if let pageMM, let media = Self.media(dest, info, pageMM) {
                optionCount = cupsAddOption("media", media, optionCount, &options)
            }
            defer { cupsFreeOptions(optionCount, options) }
            guard cupsCreateDestJob(nil, dest, info, &jobID, title, optionCount, options) == IPP_STATUS_OK, jobID > 0
            else {
                throw Self.lastError("cupsCreateDestJob(\(queue))")
            }
            guard cupsStartDestDocument(nil, dest, info, jobID, title, CUPS_FORMAT_PDF, 0, nil, 1)
                    == HTTP_STATUS_CONTINUE
            else {
                _ = cupsCancelDestJob(nil, dest, jobID)
                throw Self.lastError("cupsStartDestDocument(\(queue))")
            }
            let written = pdf.withUnsafeBytes { bytes in
                cupsWriteRequestData(nil, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
            }
            let finished = cupsFinishDestDocument(nil, dest, info)
            guard written == HTTP_STATUS_CONTINUE, finished == IPP_STATUS_OK else {
                _ = cupsCancelDestJob(nil, dest, jobID)
                throw Self.lastError("cupsFinishDestDocument(\(queue))")
            }
            return jobID
        }
    }

    /// The states of this queue's jobs by id, finished ones included
    /// (cupsd keeps job history).
    public func jobStates() throws(PrintError) -> [Int32: CupsJobState] {
        var jobs: UnsafeMutablePointer<cups_job_t>?
        let count = cupsGetJobs2(nil, &jobs, queue, 0, CUPS_WHICHJOBS_ALL)
        guard count >= 0 else { throw Self.lastError("cupsGetJobs2(\(queue))") }
        defer { cupsFreeJobs(count, jobs) }
        var states: [Int32: CupsJobState] = [:]
        for index in 0..<Int(count) {
            let job = jobs![index]
            if let state = CupsJobState(ipp: Int(job.state.rawValue)) { states[job.id] = state }
        }
        return states
    }

    /// Cancels a job; a job that already finished is left as it is.
    public func cancel(jobID: Int32) throws(PrintError) {
        let queue = self.queue
        try withDestination { dest throws(PrintError) in
            let status = cupsCancelDestJob(nil, dest, jobID)
            // "not possible" comes back for jobs already completed or canceled.
            guard status == IPP_STATUS_OK || status == IPP_STATUS_ERROR_NOT_POSSIBLE
                    || status == IPP_STATUS_ERROR_NOT_FOUND
            else { throw Self.lastError("cupsCancelDestJob(\(queue), \(jobID))") }
        }
    }

    // MARK: - libcups plumbing

    private func withDestination<T>(_ body: (UnsafeMutablePointer<cups_dest_t>) throws(PrintError) -> T)
        throws(PrintError) -> T {
        guard let dest = cupsGetNamedDest(nil, queue, nil) else {
            // libcups says "not found" for a cupsd it cannot reach too, so
            // try a connection of our own to tell the two apart.
            guard let http = httpConnect2(cupsServer(), ippPort(), nil, AF_UNSPEC, cupsEncryption(), 1, 3000, nil)
            else { throw .unreachable("cannot connect to \(String(cString: cupsServer()))") }
            httpClose(http)
            throw .unknownQueue(queue)
        }
        defer { cupsFreeDests(1, dest) }
        return try body(dest)
    }

    private static func options(of dest: UnsafeMutablePointer<cups_dest_t>) -> [String: String] {
        var options: [String: String] = [:]
        for index in 0..<Int(dest.pointee.num_options) {
            let option = dest.pointee.options[index]
            options[String(cString: option.name)] = String(cString: option.value)
        }
        return options
    }

    /// The printer's name for media of exactly this size (a custom size
    /// within its roll's range counts), or nil.
    static func media(_ dest: UnsafeMutablePointer<cups_dest_t>, _ info: OpaquePointer,
                      _ pageMM: (width: Double, length: Double)) -> String? {
        var size = cups_size_t()
        let found = cupsGetDestMediaBySize(nil, dest, info, Int32((pageMM.width * 100).rounded()),
                                           Int32((pageMM.length * 100).rounded(.up)),
                                           UInt32(CUPS_MEDIA_FLAGS_EXACT), &size)
        guard found != 0 else { return nil }
        return withUnsafeBytes(of: size.media) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func lastError(_ call: String) -> PrintError {
        let status = cupsLastError()
        let message = String(cString: cupsLastErrorString())
        if status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || status == IPP_STATUS_ERROR_INTERNAL && message.contains("connect") {
            return .unreachable(message)
        }
        return .refused(call, message)
    }
}
