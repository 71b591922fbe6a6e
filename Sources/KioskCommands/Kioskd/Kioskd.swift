import ArgumentParser
import Foundation
import KioskMetrics
import KioskDomain
import KioskFront
import KioskPrinting
import KioskStore
import Logging
import ServiceNotify

/// The kiosk daemon. Each role runs as its own process on one SQLite file.
public struct Kioskd: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kioskd", abstract: "The help-request kiosk daemon.",
        discussion: ExitStatus.kioskd,
        version: KioskVersion.current,
        subcommands: [Front.self, Display.self, Forwarder.self, Migrate.self])

    public init() {}

    /// The resident's screen on this terminal (under systemd, the kiosk's tty).
    struct Front: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the resident's screen on this terminal; logs go to standard error.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var receipts: ReceiptOutputOptions

        @Option(help: ArgumentHelp("Write logs to this open file descriptor, not to the terminal (kioskd display does).",
                                   valueName: "FD"))
        var logFd: Int32?

        func run() throws {
            // What residents type and the receipt key are in this memory.
            ProcessHardening.forbidMemoryAccess()
            if let logFd {
                // Inside a terminal emulator standard error is the screen: move
                // it (logs, and anything the runtime writes) to the journal.
                guard dup2(logFd, STDERR_FILENO) >= 0 else {
                    throw CommandFailure(description: "--log-fd \(logFd) is not an open file descriptor")
                }
                if logFd != STDERR_FILENO { close(logFd) }
            }
            let logger = Logger(label: "kioskd-front")
            let environment = try KioskEnvironment.open(options, sealing: true, access: .service)
            let metrics = options.startMetrics(role: "front", logger: logger)
            try environment.store.releaseLeases()
            let layout = try environment.receiptLayout()
            let key = try environment.receiptKey()
            let output: ReceiptPrinter.Output = receipts.receiptsTo.map { .folder(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .cups
            let printer = receipts.noPrinter ? nil : try environment.receiptPrinter(logger: logger, output: output)
            let terminal: TerminalDevice
            do { terminal = try TerminalDevice() } catch {
                throw CommandFailure(description: "refusing to start: \(error)")
            }
            let role = FrontRole(context: FrontContext(config: environment.config, printsReceipts: printer != nil),
                                 store: environment.store,
                                 layout: layout, receiptKey: key, printer: printer, logger: logger,
                                 notifier: ServiceNotifier())
            try role.run(terminal: terminal)
            metrics.flush()
        }
    }

    /// Prepares the state folder before the roles start (`ExecStartPre=`,
    /// upgrades): checks configuration, checks the database's integrity,
    /// applies migrations, returns expired leases. With no key at all: it
    /// never seals or opens a request.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check configuration and database, apply migrations, release expired leases, then exit.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let logger = Logger(label: "kioskd-migrate")
            let environment = try KioskEnvironment.open(options, check: .full, access: .service)
            // The forwarder (its own user, in the kiosk group) shares the files.
            let shared = environment.store.shareWithGroup()
            let released = try environment.store.releaseLeases()
            let summary = try environment.store.queueSummary()
            logger.notice("database ready", metadata: [
                "database.path": "\(environment.store.path)",
                "queue.queued": "\(summary[.queued])",
                "queue.dead": "\(summary[.dead])",
                "queue.leases_released": "\(released)",
            ])
            for file in shared { logger.info("opened to the kiosk group", metadata: ["file": "\(file)"]) }
            let legacy = try environment.store.legacySealedCount()
            if legacy > 0 {
                logger.warning("requests still sealed with the old seal key wait: run `kioskctl credentials reseal`",
                               metadata: ["queue.legacy_sealed": "\(legacy)"])
            }
        }
    }
}

/// Where receipts go: the CUPS queue (default), nowhere, or PDF files.
/// `kioskd front` and `kioskd display` (which passes them to the front) share these.
struct ReceiptOutputOptions: ParsableArguments {
    @Flag(help: "Do not print receipts (a kiosk without a printer); the screen says so.")
    var noPrinter = false

    @Option(help: ArgumentHelp("Write each receipt as a PDF file into DIR instead of printing (a developer's machine without CUPS).",
                               valueName: "DIR"))
    var receiptsTo: String?

    func validate() throws {
        if noPrinter, receiptsTo != nil {
            throw ValidationError("--no-printer and --receipts-to exclude each other: choose one")
        }
    }

    /// The same choice, as `kioskd front` options.
    var arguments: [String] {
        (noPrinter ? ["--no-printer"] : []) + (receiptsTo.map { ["--receipts-to", $0] } ?? [])
    }
}

extension Kioskd {
    /// Runs the command; on failure prints the reason in journald's form and
    /// exits non-zero, so systemd and the technician both see why.
    public static func runAsDaemon() async {
        // Before any thread is started, so every thread inherits it: a parent
        // may have left SIGTERM and SIGINT blocked (posix_spawn keeps the
        // mask), and each role stops on them.
        ProcessSignals.unblockTermination()
        LoggingSystem.bootstrap(JournalLogHandler.init)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            for line in failure.description.split(separator: "\n") {
                JournalLogHandler.write(level: .error, label: "kioskd", message: String(line), fields: [])
            }
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

extension Kioskctl {
    public static func runAsTool() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            printError(failure.description)
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
