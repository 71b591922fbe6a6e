import Foundation

/// The kiosk's real screen, headless: `kioskd display` (cage + foot + the
/// front) on a headless Wayland output as an unprivileged user, through
/// `scripts/display-lab`. What the tests see are pixels: screenshots (grim)
/// read back with tesseract or zbar.
public final class DisplayLab {
    public let folder: URL

    /// - Parameters:
    ///   - fontSize: `display.font_size`; 14 fits the whole receipt screen, QR code included, on the
    ///     headless output's 1280×720.
    ///   - displayArguments: `kioskd display` options (default: receipts as PDFs in `receipts`).
    ///   - environment: what systemd would set (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`).
    public init(fontSize: Int = 14, displayArguments: [String] = [], environment: [String: String] = [:]) throws {
        folder = try temporaryFolder("kiosk-display")
        let config = folder.appendingPathComponent("config")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: config)
        let kiosk = config.appendingPathComponent("kiosk.yaml")
        let text = try String(contentsOf: kiosk, encoding: .utf8)
        guard let range = text.range(of: #"font_size: \d+"#, options: .regularExpression) else {
            throw SubprocessError(description: "kiosk.yaml has no display.font_size")
        }
        try text.replacingCharacters(in: range, with: "font_size: \(fontSize)").write(to: kiosk, atomically: true, encoding: .utf8)
        let started = try lab("start", displayArguments, environment: environment)
        guard started.status == 0 else { throw SubprocessError(description: "display-lab start: \(started.stderr)") }
    }

    deinit {
        _ = try? lab("stop")
        // The programs' copies are large; the logs and screenshots stay.
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("bin"))
    }

    public var receipts: URL { folder.appendingPathComponent("receipts") }
    public var config: URL { folder.appendingPathComponent("config") }
    /// cage's, foot's and the front's standard error.
    public var log: URL { folder.appendingPathComponent("display.log") }
    /// What `kioskctl` needs for this kiosk (run as root, it reads the lab user's files).
    public var kioskEnvironment: [String: String] {
        ["KIOSK_CONFIG": config.path, "KIOSK_STATE": folder.appendingPathComponent("state").path,
         "KIOSK_ASSETS": folder.appendingPathComponent("assets").path]
    }

    @discardableResult
    func lab(_ command: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> RunResult {
        try runToEnd([repositoryRoot.appendingPathComponent("scripts/display-lab").path, command, folder.path] + arguments,
                     environment: environment.merging(["KIOSK_BIN": productsDirectory().path]) { $1 })
    }

    /// The processes of the stack: cage (the service's main process), and the
    /// front in foot in cage. Patterns for `pgrep -f`.
    public var compositorProcess: String { "^/usr/bin/cage -- .*\(folder.path)/bin/kioskd front" }
    public var frontProcess: String { "^\(folder.path)/bin/kioskd front" }

    public func pid(_ pattern: String) throws -> Int32? {
        try runToEnd(["/usr/bin/pgrep", "-f", pattern]).stdout.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// cage's command line, as the kernel has it.
    public func compositorArguments() throws -> [String] {
        guard let pid = try pid(compositorProcess) else { return [] }
        let raw = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        return raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Types text as foot would send it (`\r` is Enter).
    public func keys(_ text: String) throws {
        let result = try lab("keys", [text.replacingOccurrences(of: "\\", with: "\\\\")])
        guard result.status == 0 else { throw SubprocessError(description: "display-lab keys: \(result.stderr)") }
    }

    /// A left click on a cell (0-based), as foot reports it to a program that asked for mouse reports.
    public func click(column: Int, row: Int) throws {
        let result = try lab("click", ["\(column + 1)", "\(row + 1)"])
        guard result.status == 0 else { throw SubprocessError(description: "display-lab click: \(result.stderr)") }
    }

    /// The front's grid in the terminal, as it logged it when ready.
    public func gridSize() throws -> (columns: Int, rows: Int) {
        let size = try lab("size").stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "x")
        guard size.count == 2, let columns = Int(size[0]), let rows = Int(size[1]) else {
            throw SubprocessError(description: "the front logged no screen size")
        }
        return (columns, rows)
    }

    /// A PNG of the whole output; also kept as `.build/kiosk-screenshots/NAME.png` to look at.
    public func screenshot(_ name: String) throws -> URL {
        let shot = folder.appendingPathComponent("\(name).png")
        let result = try lab("shot", [shot.path])
        guard result.status == 0 else { throw SubprocessError(description: "display-lab shot: \(result.stderr)") }
        let kept = repositoryRoot.appendingPathComponent(".build/kiosk-screenshots")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: kept.appendingPathComponent("\(name).png"))
        try FileManager.default.copyItem(at: shot, to: kept.appendingPathComponent("\(name).png"))
        return shot
    }

    /// Screenshots read with tesseract until `text` appears (spaces ignored:
    /// tesseract spaces out Chinese); returns the last reading.
    @discardableResult
    public func waitForText(_ text: String, languages: String = "chi_sim+eng", name: String,
                            timeout: Double = 30) throws -> String {
        let wanted = text.filter { !$0.isWhitespace }
        let deadline = Date().addingTimeInterval(timeout)
        var reading = ""
        repeat {
            let shot = try screenshot(name)
            reading = try runToEnd(["/usr/bin/tesseract", shot.path, "-", "-l", languages]).stdout
            if reading.filter({ !$0.isWhitespace }).contains(wanted) { return reading }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        throw SubprocessError(description: "'\(text)' did not appear on the screen; tesseract read:\n\(reading)")
    }

    /// Screenshots read with zbar until a QR code is found; its text.
    public func waitForQRCode(name: String, timeout: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let shot = try screenshot(name)
            let zbar = try runToEnd(["/usr/bin/zbarimg", "--nodbus", "--quiet", "--raw", shot.path])
            if zbar.status == 0 { return zbar.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        throw SubprocessError(description: "no QR code on the screen within \(timeout) s")
    }
}
