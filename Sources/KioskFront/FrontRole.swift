import IntakeProtocol
import Dispatch
import Foundation
import KioskDomain
import KioskMetrics
import KioskPrinting
import KioskStore
import Logging
import Receipts
import ServiceNotify
#if canImport(Glibc)
import Glibc
#endif

/// kioskd front: the resident's screen.
///
/// Drives the kiosk's terminal on stdin/stdout. One thread blocks in `poll`
/// on the terminal and a signal pipe, waking only for input, signals and the
/// flow's own deadlines (idle countdown, receipt screen), so an idle kiosk
/// uses no CPU. Receipts print on a second thread: libcups blocks, and a
/// printer fault must never hold up a resident.
///
/// Security: no network (the unit sets PrivateNetwork=yes); CUPS through its
/// unix socket. A request is sealed to the centre's public key as it is
/// stored: the front cannot open it again. Logs carry receipt numbers and
/// states, never personal data.
/// Limits: one terminal, one resident at a time.
public final class FrontRole {
    let context: FrontContext
    let store: KioskStore
    let composer: ReceiptComposer
    let receiptKey: ReceiptKey
    let printing: PrintThread?
    let logger: Logger
    let heartbeatInterval: Duration
    let notifier: ServiceNotifier
    /// Typed progress look-ups: counted here, across sessions.
    var lookUps = LookUpAllowance()

    public init(context: FrontContext, store: KioskStore, layout: ReceiptLayout, receiptKey: ReceiptKey,
                printer: ReceiptPrinter?, logger: Logger, heartbeatInterval: Duration = FrontHeartbeat.interval,
                notifier: ServiceNotifier = ServiceNotifier(environment: [:])) {
        self.context = context
        self.store = store
        self.composer = ReceiptComposer(config: context.config, layout: layout)
        self.receiptKey = receiptKey
        self.printing = printer.map { PrintThread(printer: $0, store: store) }
        self.logger = logger
        self.heartbeatInterval = heartbeatInterval
        self.notifier = notifier
    }

    /// Runs until SIGTERM, SIGINT, SIGHUP or the end of input; the terminal
    /// is restored on every one of those ways out.
    public func run(terminal: TerminalDevice) throws {
        let signals = try SignalPipe(signals: [SIGWINCH, SIGTERM, SIGINT, SIGHUP])
        try terminal.start()
        defer {
            notifier.stopping()
            terminal.restore()
            try? store.updateStatus(RoleStatusRecord(role: "front", updatedAt: Date(), state: "stopped",
                                                     pid: getpid(), version: KioskVersion.current))
        }
        printing?.start()

        let clock = ContinuousClock()
        var state = FrontState(now: clock.now)
        var renderer = Renderer()
        var decoder = InputDecoder()
        var scanner = ScanDetector(urlPrefix: context.config.receipt.urlPrefix)
        var lastInput = clock.now
        var size = terminal.size()
        var frame = state.view(columns: size.columns, rows: size.rows, context: context)
        var lastHeartbeat: ContinuousClock.Instant?
        logger.notice("front ready", metadata: ["screen.size": "\(size.columns)x\(size.rows)"])
        notifier.ready(status: "screen \(size.columns)x\(size.rows) · welcome")
        store.verifyInBackground { [logger] problem in
            logger.critical("the database is damaged; requests may not be kept", metadata: ["database.problem": "\(problem)"])
        }

        while true {
            // The event loop itself pings the watchdog: if it hangs, pings stop.
            HangInjection.point()
            notifier.loopAlive()
            // Draw: only the cells that changed since the last frame.
            frame = state.view(columns: size.columns, rows: size.rows, context: context)
            let bytes = renderer.frame(frame.buffer)
            if !bytes.isEmpty { try terminal.write(bytes) }
            if lastHeartbeat.map({ clock.now - $0 >= heartbeatInterval }) ?? true {
                heartbeat(state)
                lastHeartbeat = clock.now
            }

            // Sleep until input, a signal, the flow's next deadline or the heartbeat.
            var deadline = lastHeartbeat! + heartbeatInterval
            if let flow = state.nextDeadline(context) { deadline = min(deadline, flow) }
            if decoder.hasPending { deadline = min(deadline, clock.now + .milliseconds(30)) }
            if scanner.hasPending { deadline = min(deadline, lastInput + Self.scannerPause) }
            if let watchdog = notifier.watchdogInterval { deadline = min(deadline, clock.now + watchdog) }
            let wait = max(Duration.zero, deadline - clock.now)
            var fds = [pollfd(fd: terminal.input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals.readEnd, events: Int16(POLLIN), revents: 0)]
            let milliseconds = Int32(min(wait.milliseconds + 1,
                                         Int64(Int32.max)))
            let ready = try systemCall("poll") { poll(&fds, 2, milliseconds) }

            var events: [FrontEvent] = []
            if fds[1].revents != 0 {
                for signal in signals.drain() {
                    if signal == SIGWINCH {
                        size = terminal.size()
                        renderer.invalidate()
                    } else {
                        logger.notice("front stopping", metadata: ["signal": "\(signal)"])
                        return
                    }
                }
            }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let input = try terminal.read()
                lastInput = clock.now
                if input.isEmpty {
                    logger.notice("front stopping: terminal closed")
                    return
                }
                events += scanner.feed(decoder.feed(input)).map { translate($0, frame) }
            } else if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 {
                logger.notice("front stopping: terminal hung up")
                return
            }
            if ready == 0 {
                events += scanner.feed(decoder.flushPending()).map { translate($0, frame) }
                if clock.now - lastInput >= Self.scannerPause {
                    events += scanner.flushPending().map { translate($0, frame) }
                }
                events.append(.tick)
            }
            for event in events {
                var queue = [event]
                while !queue.isEmpty {
                    let event = queue.removeFirst(), before = state.step
                    let effects = state.update(event, at: clock.now, context: context)
                    count(SessionCount.changes(event: event, before: before, after: state.step, effects: effects))
                    for effect in effects {
                        if let answer = perform(effect, renderer: &renderer, decoder: &decoder) { queue.append(answer) }
                    }
                }
            }
        }
    }

    private func count(_ changes: [SessionCount]) {
        for change in changes {
            switch change {
            case .started: KioskMetric.sessionsStarted.counter().increment()
            case .completed: KioskMetric.sessionsCompleted.counter().increment()
            case .wipedIdle: KioskMetric.sessionsWipedIdle.counter().increment()
            }
        }
    }

    /// A scanner types a whole code in a few milliseconds; a pause this long is a person.
    static let scannerPause: Duration = .milliseconds(150)

    /// A tap becomes the action of the region under it in the frame on
    /// screen; a scanned code, the receipt number it proves (checked with
    /// this kiosk's receipt key, so a forged or another kiosk's code opens nothing).
    private func translate(_ input: InputEvent, _ frame: Frame) -> FrontEvent {
        switch input {
        case let .tap(column, row):
            return frame.action(atColumn: column, row: row).map { .tap($0) } ?? .input(input)
        case let .scanned(text):
            return .scanned(try? ReceiptToken(verifying: text, key: receiptKey).receiptNumber)
        default:
            return .input(input)
        }
    }

    private func perform(_ effect: FrontEffect, renderer: inout Renderer, decoder: inout InputDecoder) -> FrontEvent? {
        switch effect {
        case .wipeScreen:
            // The next resident starts clean: nothing half-decoded carries over.
            renderer.invalidate()
            decoder = InputDecoder()
            return nil
        case let .submit(draft):
            return submit(draft)
        case let .checkPrint(id):
            return .printProgress(printProgress(id))
        case let .lookUpProgress(number, proof):
            return .progressAnswered(lookUp(number, proof))
        }
    }

    /// As much of a receipt's progress as `proof` allows: the steps for a
    /// scanned code or the right progress code; for a number alone, whether
    /// it exists. Typed look-ups are limited per minute.
    func lookUp(_ number: ReceiptNumber, _ proof: ProgressProof) -> ProgressAnswer {
        if proof != .scanned, let seconds = lookUps.take(now: .now) {
            logger.notice("progress look-ups held back", metadata: ["progress.wait_seconds": "\(seconds)"])
            return .tooMany(seconds: seconds)
        }
        if case let .code(code) = proof, !receiptKey.checks(progressCode: code, for: number) {
            return .wrongCode
        }
        let found: ReceiptProgress
        do { found = try store.progress(of: number) } catch {
            logger.error("cannot read a receipt's progress", metadata: ["error": "\(error)"])
            found = ReceiptProgress(receiptNumber: number, here: .unknown, steps: [])
        }
        if proof == .none { return .exists(found.here != .unknown || !found.steps.isEmpty) }
        return .details(found)
    }

    /// Durable first: the request is committed before the receipt screen
    /// shows; printing is queued after and happens on the print thread.
    func submit(_ draft: SubmissionDraft) -> FrontEvent {
        do {
            let started = ContinuousClock.now
            let request = try draft.validate(in: context.config.validationContext(now: Date()))
            let submission = try store.submit(request)
            KioskMetric.submitDuration.timer().record(duration: ContinuousClock.now - started)
            KioskMetric.submissions.counter().increment()
            let token = ReceiptToken(receiptNumber: submission.receiptNumber, issuedAt: submission.createdAt,
                                     key: receiptKey)
            let qr = try? composer.qrMatrix(for: token)
            // The number alone: the journal outlives the purge, and a level beside a number would say who is in crisis.
            logger.info("request received", metadata: ["receipt.number": "\(submission.receiptNumber)"])
            do {
                printing?.printer.holdForCentreCopy(submission)
                try store.enqueuePrintJobs(submissionID: submission.id,
                                           copies: ReceiptCopy.printed(for: context.config.receipt).map(\.rawValue),
                                           printer: context.config.printer.queue)
                printing?.wake()
            } catch {
                logger.error("cannot queue the receipt for printing", metadata: ["receipt.number": "\(submission.receiptNumber)", "error": "\(error)"])
            }
            return .submitted(ReceiptInfo(submissionID: submission.id, number: submission.receiptNumber,
                                          token: token.description, qr: qr, progressCode: token.progressCode))
        } catch {
            logger.error("request could not be stored", metadata: ["error": "\(error)"])
            KioskMetric.submissionsFailed.counter().increment()
            return .submitFailed
        }
    }

    /// The resident's copy: printed, still coming, or not going to print
    /// (a failed job, or a printer that cannot print now).
    func printProgress(_ id: UUID) -> PrintProgress {
        guard printing != nil else { return .noPrinter }
        guard let jobs = try? store.printJobs(submissionID: id),
              let resident = jobs.first(where: { $0.copy == "resident" })
        else { return .failed }
        switch resident.state {
        case .completed: return .printed
        case .failed, .aborted, .canceled: return .failed
        case .pending, .submitted:
            let printer = (try? store.statuses())?.first { $0.role == "printer" }
            if let printer, !["ready", "printing"].contains(printer.state) { return .failed }
            return .queued
        }
    }

    /// Records that the loop runs, and tells systemd one line of state.
    private func heartbeat(_ state: FrontState) {
        let screen = state.step == .welcome ? "welcome" : "in session"
        do {
            try store.updateStatus(RoleStatusRecord(role: "front", updatedAt: Date(), state: "running", detail: screen,
                                                    pid: getpid(), version: KioskVersion.current))
            let printer = printing == nil ? "none" : (try store.statuses().first { $0.role == "printer" }?.state ?? "unknown")
            notifier.status("screen \(screen) · printer \(printer) · queue \(try store.queueSummary().pending)")
        } catch {
            logger.warning("cannot record heartbeat", metadata: ["error": "\(error)"])
        }
    }
}

/// The receipt printer's own thread: a pass when woken or every few
/// seconds while jobs are open, every 30 s otherwise (printer state).
/// `@unchecked Sendable`: the printer is used on this thread only, but for
/// `holdForCentreCopy`, which takes its own lock.
final class PrintThread: @unchecked Sendable {
    let printer: ReceiptPrinter
    let store: KioskStore
    let signal = DispatchSemaphore(value: 0)

    init(printer: ReceiptPrinter, store: KioskStore) {
        self.printer = printer
        self.store = store
    }

    func start() {
        let thread = Thread { [self] in
            while true {
                printer.runOnce()
                let busy = (try? store.openPrintJobs().isEmpty == false) ?? false
                _ = signal.wait(timeout: .now() + (busy ? 1 : 30))
            }
        }
        thread.name = "receipt-printer"
        thread.start()
    }

    func wake() {
        signal.signal()
    }
}

/// How often the front records that its loop runs; `kioskctl status` calls
/// the front down after three missed beats.
public enum FrontHeartbeat {
    public static let interval: Duration = .seconds(30)
}
