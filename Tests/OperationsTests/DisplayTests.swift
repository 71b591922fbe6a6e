import Foundation
import KioskConfig
import KioskFront
import TestSupport
import Testing

/// The kiosk's real screen: the front in foot inside cage, headless, as an
/// unprivileged user (scripts/display-lab). What is checked are pixels:
/// tesseract reads the Chinese, zbar reads the QR code drawn on the screen.
///
/// Input: Debian 12's cage offers no virtual keyboard or pointer protocol and
/// a headless output has no input devices, so keys and clicks go into the
/// front's terminal as the exact bytes foot sends for them (TIOCSTI, which
/// needs root: scripts/test runs as root in CI).
@Suite(.serialized, .enabled(if: getuid() == 0, "writing into another user's terminal (TIOCSTI) needs root"))
struct DisplayTests {
    static let shipped = try! ConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("kiosk-config"))

    @Test func theWelcomeScreenShowsChineseAndATapOnEnglishSwitchesLanguage() throws {
        let display = try DisplayLab()
        try display.waitForText(Self.shipped.texts[.welcomeTitle, .chinese], languages: "chi_sim", name: "welcome")

        // Where "English" is, from the front's own layout for this grid.
        let grid = try display.gridSize()
        let frame = FrontState(now: ContinuousClock().now)
            .view(columns: grid.columns, rows: grid.rows, context: FrontContext(config: Self.shipped))
        let english = try #require(frame.targets.first { $0.action == .toggleLanguage && $0.row > 1 }
            ?? frame.targets.first { $0.action == .choose(1) }, "the welcome screen offers English")
        try display.click(column: english.columns.lowerBound + 1, row: english.row)
        try display.waitForText(Self.shipped.texts[.welcomeTitle, .english], languages: "eng", name: "welcome-en")
        let log = try String(contentsOf: display.log, encoding: .utf8)
        #expect(log.contains("kioskd-front: notice: front ready"), "the front's logs go to the service's log, not the screen")
    }

    @Test func theReceiptScreensQRCodeIsTheSignedTokenOnThePrintedReceipt() throws {
        let display = try DisplayLab()
        let questions = Self.shipped.assessment.questions.count
        // The resident's whole Chinese flow, key by key (as askForHelp types it into tmux).
        try display.keys("\r" + "3" + "1" + String(repeating: "1", count: questions) + "1"
            + Applicant.name + "\r" + Applicant.phone + "\r" + "1" + Applicant.residentID + "\r"
            + "1" + "2" + Applicant.address + "\r" + "3\r" + Applicant.story + "\r" + "1")

        #expect(try eventually { (try? FileManager.default.contentsOfDirectory(atPath: display.receipts.path))?
            .contains { $0.contains("-resident-") } == true }, "the receipt was made")
        let slip = try #require(try FileManager.default.contentsOfDirectory(atPath: display.receipts.path)
            .first { $0.contains("-resident-") })
        // JA0301-261130-0001-M-resident-1.pdf: the receipt number, then the copy.
        let number = String(slip[..<(try #require(slip.range(of: "-resident-"))).lowerBound])
        let image = display.folder.appendingPathComponent("slip")
        try runToEnd(["/usr/bin/pdftoppm", "-r", "300", "-png", "-singlefile",
                      display.receipts.appendingPathComponent(slip).path, image.path])
        let printed = try runToEnd(["/usr/bin/zbarimg", "--nodbus", "--quiet", "--raw", image.path + ".png"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let shown = try display.waitForQRCode(name: "receipt")
        #expect(shown == printed, "the screen shows the receipt's own token")
        #expect(shown.contains(number))
        let verified = try runToEnd([product("kioskctl"), "verify", shown], environment: display.kioskEnvironment)
        #expect(verified.status == 0, "a token signed with this kiosk's receipt key: \(verified.stdout)\(verified.stderr)")
        try display.waitForText("已收到您的申请", languages: "chi_sim", name: "receipt")
    }

    @Test func kioskdDisplayRefusesToRunAsRoot() throws {
        let result = try runToEnd([product("kioskd"), "display"],
                                  environment: ["KIOSK_CONFIG": repositoryRoot.appendingPathComponent("kiosk-config").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("refusing to start as root"), "\(result.stderr)")
    }
}

/// foot.ini, read by foot itself and against foot's own list of bindings.
@Suite struct TerminalConfigurationTests {
    static let shipped = repositoryRoot.appendingPathComponent("kiosk-config/foot.ini")

    /// `[section]` → keys set in an ini text; `commented` also reads `# key=value` lines (foot's defaults file).
    static func sections(_ text: String, commented: Bool) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var section = ""
        for raw in text.split(separator: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line; continue }
            if commented, line.hasPrefix("# ") { line = String(line.dropFirst(2)) } else if line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !key.contains(" ") else { continue }
            result[section, default: [:]][key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    @Test func footAcceptsTheShippedConfiguration() throws {
        let check = try runToEnd(["/usr/bin/foot", "--check-config", "--config", Self.shipped.path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func everyKeyAndMouseBindingFootHasIsTurnedOff() throws {
        let defaults = Self.sections(try String(contentsOfFile: "/etc/xdg/foot/foot.ini", encoding: .utf8), commented: true)
        let ours = Self.sections(try String(contentsOf: Self.shipped, encoding: .utf8), commented: false)
        for section in ["[key-bindings]", "[mouse-bindings]"] {
            let actions = try #require(defaults[section], "foot's defaults list \(section)").keys
                .filter { $0 != "selection-override-modifiers" }
            #expect(!actions.isEmpty)
            for action in actions {
                #expect(ours[section]?[action] == "none", "\(section) \(action) is not turned off")
            }
        }
        #expect(ours["[scrollback]"]?["lines"] == "0")
        #expect(ours["[main]"]?["selection-target"] == "none", "selecting copies nothing")
        #expect(ours["[main]"]?["font"] == nil, "the font comes from kiosk.yaml (kioskd display)")
    }
}

/// The stack under systemd's eyes: readiness and watchdog pings from the
/// front through cage and foot, VT switching off, and a dead front taking
/// the whole stack down so that systemd restarts it.
@Suite(.serialized, .enabled(if: getuid() == 0, "the display lab runs its stack as another user"))
struct DisplayServiceTests {
    @Test func theFrontInsideCageAndFootIsReadyAndPingsTheWatchdogItself() throws {
        let socket = try NotifySocket(folder: try temporaryFolder("display-notify"), abstract: true)
        // systemd names cage, the main process, in WATCHDOG_PID; kioskd display
        // must leave it out or the front would never ping.
        let display = try DisplayLab(environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "2000000",
                                                   "WATCHDOG_PID": "1"])
        let messages = socket.receive(timeout: 15) { got in
            got.contains { $0.contains("READY=1") } && got.filter { $0.contains("WATCHDOG=1") }.count >= 2
        }
        #expect(messages.contains { $0.contains("READY=1") && $0.contains("STATUS=screen") }, "\(messages)")
        #expect(messages.filter { $0.contains("WATCHDOG=1") }.count >= 2, "\(messages)")
        let cage = try display.compositorArguments()
        #expect(cage.first == "/usr/bin/cage" && !cage.contains("-s"), "VT switching stays off: \(cage)")
    }

    /// The front runs as the display's user, like cage and foot; yet neither
    /// they nor anything else of that user may read its memory: the kernel
    /// then gives its /proc files to root (they stay the user's for cage).
    @Test func theFrontsMemoryIsClosedToItsOwnUsersOtherProcesses() throws {
        let display = try DisplayLab()
        let front = try #require(try display.pid(display.frontProcess))
        let cage = try #require(try display.pid(display.compositorProcess))
        func owner(_ pid: Int32) throws -> String {
            try runToEnd(["/usr/bin/stat", "-c", "%U", "/proc/\(pid)/mem"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try owner(cage) != "root", "the lab runs the stack as its own user")
        #expect(try owner(front) == "root", "PR_SET_DUMPABLE=0: no same-user ptrace or /proc/PID/mem")
    }

    @Test func whenTheFrontDiesTheWholeStackEndsForSystemdToRestart() throws {
        let display = try DisplayLab()
        let front = try #require(try display.pid(display.frontProcess))
        #expect(try display.pid(display.compositorProcess) != nil)
        kill(front, SIGKILL)
        #expect(try eventually(timeout: 15) { try display.pid(display.compositorProcess) == nil },
                "cage exits with its only client, so the unit's Restart=always brings the screen back")
    }
}
