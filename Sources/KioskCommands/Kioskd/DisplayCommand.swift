import ArgumentParser
import Foundation
import KioskConfig
#if canImport(Glibc)
import Glibc
#endif

extension Kioskd {
    /// The resident's screen on a real display: the front full-screen in a
    /// terminal (foot) inside a kiosk compositor (cage).
    ///
    /// The Linux console's font holds 512 glyphs, too few for Chinese; foot
    /// draws any glyph fontconfig has. This command reads the kiosk's
    /// configuration (font and size), then replaces itself with
    /// `cage -- foot … -- kioskd front`, so under systemd cage is the
    /// service's main process and the front its grandchild.
    struct Display: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the resident's screen full-screen in the cage compositor and the foot terminal.",
            discussion: """
                Runs as the kiosk user on the seat seatd manages (kiosk-display.service: LIBSEAT_BACKEND=seatd, \
                group video). Without a display, set WLR_BACKENDS=headless WLR_RENDERER=pixman: scripts/display-lab does.
                """)

        @OptionGroup var options: GlobalOptions
        @OptionGroup var receipts: ReceiptOutputOptions

        @Option(help: ArgumentHelp("The kiosk compositor.", valueName: "PATH"))
        var compositor = "/usr/bin/cage"

        @Option(help: ArgumentHelp("The terminal.", valueName: "PATH"))
        var terminal = "/usr/bin/foot"

        @Option(help: ArgumentHelp("The terminal's configuration (default: foot.ini in the configuration folder).",
                                   valueName: "FILE"))
        var terminalConfig: String?

        func run() throws {
            if getuid() == 0 {
                throw CommandFailure(description: """
                    refusing to start as root: the screen runs as the kiosk user \
                    (systemctl start kiosk-display, which opens a session on the kiosk's seat)
                    """)
            }
            let config: KioskConfiguration
            do { config = try ConfigurationLoader.load(from: options.configDirectory) } catch {
                throw CommandFailure(description: "refusing to start: \(error)")
            }
            let footConfig = terminalConfig ?? options.configDirectory.appendingPathComponent("foot.ini").path
            for (path, what) in [(compositor, "the compositor (Debian package cage)"),
                                 (terminal, "the terminal (Debian package foot)")] where access(path, X_OK) != 0 {
                throw CommandFailure(description: "refusing to start: \(what) is not at \(path)")
            }
            guard access(footConfig, R_OK) == 0 else {
                throw CommandFailure(description: "refusing to start: cannot read the terminal's configuration \(footConfig)")
            }
            if let seat = SeatCheck(environment: ProcessInfo.processInfo.environment) { try seat.waitForSeat() }
            // The front's logs go to this process's standard error (the journal
            // under systemd), not to the terminal: foot makes the screen the
            // front's standard error. The duplicate stays open across exec.
            let logDescriptor = dup(STDERR_FILENO)
            guard logDescriptor >= 0 else {
                throw CommandFailure(description: "cannot keep standard error for the front's logs: \(String(cString: strerror(errno)))")
            }
            let launch = DisplayLaunch(
                compositor: compositor, terminal: terminal, terminalConfig: footConfig, display: config.display,
                kioskd: try Self.ownExecutable(), logDescriptor: logDescriptor,
                frontOptions: passedOptions())
            // The front, not cage, pings the watchdog: systemd names cage as
            // the main process in WATCHDOG_PID, and sd_notify's rule is that
            // a process whose PID is not named there must stay silent.
            unsetenv("WATCHDOG_PID")
            let arguments = launch.arguments
            var argv = arguments.map { strdup($0) } + [nil]
            execv(compositor, &argv)
            throw CommandFailure(description: "cannot start \(compositor): \(String(cString: strerror(errno)))")
        }

        /// The options the front needs to find this kiosk (those given here).
        private func passedOptions() -> [String] {
            var passed: [String] = []
            for (flag, value) in [("--config", options.config), ("--state", options.state),
                                  ("--assets", options.assets), ("--credentials", options.credentials)] {
                if let value { passed += [flag, value] }
            }
            return passed + receipts.arguments
        }

        private static func ownExecutable() throws -> String {
            do { return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") } catch {
                throw CommandFailure(description: "cannot find kioskd's own path in /proc/self/exe: \(error)")
            }
        }
    }
}

/// The command line `kioskd display` becomes: cage (without `-s`: no VT
/// switching), foot with the kiosk's configuration and font, and the front
/// inside. Not cage's `-d`: foot.ini says why.
struct DisplayLaunch {
    var compositor: String
    var terminal: String
    var terminalConfig: String
    var display: DisplaySettings
    var kioskd: String
    var logDescriptor: Int32
    var frontOptions: [String]

    var arguments: [String] {
        [compositor, "--",
         // foot's own logs: warnings and errors only, plain, into the journal.
         terminal, "--config=\(terminalConfig)", "--font=\(display.font):size=\(display.fontSize)",
         "--log-level=warning", "--log-colorize=never", "--",
         kioskd, "front", "--log-fd", "\(logDescriptor)"] + frontOptions
    }
}
