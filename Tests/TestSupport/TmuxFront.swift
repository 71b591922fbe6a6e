import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import Receipts
import StorageSupport

/// `kioskd front` in a real pseudo-terminal: tmux on a private socket.
/// The front's standard error goes to `log`.
public final class TmuxFront {
    public let folder: URL
    public let socket: String
    public let state: URL
    public let config: URL
    public let session = "kiosk"
    /// The centre key pair made for this test when no centre's key was given.
    public let testCentreKey: CentrePrivateKey?

    /// - Parameters:
    ///   - configEdits: (file, old, new) replacements in a copy of the shipped configuration.
    ///   - frontArguments: extra `kioskd front` arguments (`--no-printer` unless given).
    ///   - environment: extra environment for the front (a printer lab's `CUPS_SERVER`).
    ///   - wrapper: wraps the front's shell command (e.g. in `stty` calls).
    ///   - centreSecret: stored with `kioskctl credentials centre-secret` before the front starts, as a
    ///     technician does (it also derives the receipt key the centre checks tickets with).
    ///   - centreKey: the public key of the centre the front seals to; without one, a key pair of
    ///     the test's own (`testCentreKey`), so what was stored can be opened and checked.
    public init(columns: Int = 80, rows: Int = 24, configEdits: [(String, String, String)] = [],
                frontArguments: [String] = ["--no-printer"], environment: [String: String] = [:],
                wrapper: ((_ command: String, _ folder: String) -> String)? = nil, centreSecret: String? = nil,
                centreKey: CentrePublicKey? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-front-\(UUID().uuidString.prefix(8))")
        socket = folder.appendingPathComponent("tmux.sock").path
        state = folder.appendingPathComponent("state")
        config = folder.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: config)
        for (file, old, new) in configEdits {
            let url = config.appendingPathComponent(file)
            try (try String(contentsOf: url, encoding: .utf8)).replacingOccurrences(of: old, with: new)
                .write(to: url, atomically: true, encoding: .utf8)
        }
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        try credentials.createKeyIfMissing(named: "receipt.key")
        let testKey = centreKey == nil ? try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()) : nil
        testCentreKey = testKey
        let publicKey = centreKey ?? testKey!.publicKey
        if let centreSecret {
            let stored = try runToEnd([product("kioskctl"), "credentials", "centre-secret"],
                                      environment: ["KIOSK_CONFIG": config.path, "KIOSK_STATE": state.path],
                                      input: centreSecret + "\n" + publicKey.description + "\n")
            guard stored.status == 0 else { throw SubprocessError(description: "centre-secret: \(stored.stderr)") }
        } else {
            try credentials.writeCentrePublicKey(publicKey, named: "centre-public.key")
        }
        let variables = environment.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        let front = "\(product("kioskd")) front \(frontArguments.joined(separator: " ")) --config \(config.path) "
            + "--state \(state.path) --assets \(repositoryRoot.appendingPathComponent("assets").path) 2>>\(log.path)"
        let command = wrapper?(front, folder.path) ?? front
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)",
                  "env LANG=C.UTF-8 \(variables) sh -c '\(command)'"])
    }

    deinit {
        _ = try? tmux(["kill-server"])
    }

    /// The front's standard error.
    public var log: URL { folder.appendingPathComponent("front.log") }

    /// The environment `kioskctl` and `kioskd forwarder` need for this kiosk.
    public var kioskEnvironment: [String: String] {
        ["KIOSK_CONFIG": config.path, "KIOSK_STATE": state.path,
         "KIOSK_ASSETS": repositoryRoot.appendingPathComponent("assets").path]
    }

    /// Runs tmux on the private socket; returns its standard output.
    @discardableResult
    public func tmux(_ arguments: [String]) throws -> String {
        try runToEnd(["/usr/bin/tmux", "-S", socket] + arguments, environment: ["TERM": "xterm-256color"]).stdout
    }

    public func keys(_ keys: String...) throws {
        try self.keys(keys)
    }

    public func keys(_ keys: [String]) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", session, "-l", text])
    }

    public func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", session])
    }

    /// Waits for text on the screen (never a fixed sleep); returns the screen.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.contains(text) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Timeout(text: text, screen: last)
    }

    /// The first screen for which `condition` holds: for what text alone
    /// cannot tell (a frame drawn to its end, a QR code that decodes).
    @discardableResult
    public func waitUntil(_ what: String, timeout: Double = 10, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Timeout(text: what, screen: last)
    }

    public struct Timeout: Error, CustomStringConvertible {
        public let text: String
        public let screen: String
        public var description: String { "'\(text)' did not appear; the screen shows:\n\(screen)" }
    }

    /// The kiosk's database, as any process but the front opens it: no key.
    public func openStore() throws -> KioskStore {
        let configuration = try ConfigurationLoader.load(from: config)
        return try KioskStore(path: state.appendingPathComponent("kiosk.sqlite").path, centreKey: nil,
                              issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode,
                                                    timeZone: configuration.identity.timeZone))
    }

    /// A stored request opened as the centre would, with the test's own
    /// centre key (a front started without `centreKey`).
    public func openedSubmission(_ record: SubmissionRecord) throws -> Submission {
        guard let id = UUID(uuidString: record.id), let sealed = try openStore().sealedSubmission(id: id),
              let testCentreKey else { throw SubprocessError(description: "no sealed request \(record.receiptNumber)") }
        return try sealed.opened(with: testCentreKey)
    }

    public func receiptKey() throws -> ReceiptKey {
        ReceiptKey(bytes: try CredentialStore(stateDirectory: state, environment: [:]).key(named: "receipt.key"))
    }
}
