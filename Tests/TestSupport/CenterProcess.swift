import Foundation
import IntakeProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The real `kiosk-center serve` as a process on loopback ports (intake and
/// console), with the repository's centre configuration and console pages,
/// and its seal key in `<state>/credentials`.
public final class CenterProcess {
    public let state: URL
    public private(set) var port: Int
    public private(set) var consolePort: Int
    private var process: Subprocess?
    /// Extra `serve` options (TLS).
    private let serveArguments: [String]
    /// The configuration folder (default: the repository's center-config).
    public let config: URL
    /// The credentials folder, when not `<state>/credentials` (centres sharing one database share their keys).
    public let credentials: URL?
    /// What this centre's kiosks seal to (`kiosk-center credentials public-key`).
    public let publicKey: CentrePublicKey

    public init(state: URL, port: Int = 0, consolePort: Int = 0, environment: [String: String] = [:],
                serveArguments: [String] = [], config: URL? = nil, credentials: URL? = nil) throws {
        self.state = state
        self.port = port
        self.consolePort = consolePort
        self.serveArguments = serveArguments
        self.config = config ?? repositoryRoot.appendingPathComponent("center-config")
        self.credentials = credentials
        let arguments = Self.arguments(state: state, config: self.config, credentials: credentials)
        let created = try runToEnd([product("kiosk-center"), "credentials", "init"] + arguments)
        guard created.status == 0 else { throw SubprocessError(description: "credentials init: \(created.stderr)") }
        let printed = try runToEnd([product("kiosk-center"), "credentials", "public-key"] + arguments)
        publicKey = try CentrePublicKey(text: printed.stdout)
        try start(environment: environment)
    }

    /// A copy of the repository's center-config (its links to the kiosk's
    /// catalog and assessment resolved) with `edit` applied to center.yaml.
    public static func configuration(editing edit: (String) -> String) throws -> URL {
        let folder = try temporaryFolder("center-config")
        let source = repositoryRoot.appendingPathComponent("center-config")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name).resolvingSymlinksInPath(),
                                             to: folder.appendingPathComponent(name))
        }
        let yaml = folder.appendingPathComponent("center.yaml")
        try edit(try String(contentsOf: yaml, encoding: .utf8)).write(to: yaml, atomically: true, encoding: .utf8)
        return folder
    }

    /// The folders every kiosk-center command of a centre with the repository's configuration is given.
    public static func arguments(_ state: URL) -> [String] {
        ["--state", state.path, "--config", repositoryRoot.appendingPathComponent("center-config").path,
         "--assets", repositoryRoot.appendingPathComponent("assets").path]
    }

    /// The folders every kiosk-center command of this centre is given.
    public var arguments: [String] { Self.arguments(state: state, config: config, credentials: credentials) }

    static func arguments(state: URL, config: URL, credentials: URL?) -> [String] {
        ["--state", state.path, "--config", config.path, "--assets", repositoryRoot.appendingPathComponent("assets").path]
            + (credentials.map { ["--credentials", $0.path] } ?? [])
    }

    public var log: URL { state.appendingPathComponent("serve.log") }
    /// The running `kiosk-center serve`.
    public var pid: pid_t? { process?.pid }
    public var consoleURL: String { "http://127.0.0.1:\(consolePort)" }

    public func start(environment: [String: String] = [:]) throws {
        let process = try Subprocess([product("kiosk-center"), "serve", "--port", String(port),
                                      "--console-port", String(consolePort)] + arguments + serveArguments,
                                     environment: environment, output: log)
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            // Only this run's lines: a restart appends to the same log.
            let lines = process.text.split(separator: "\n")
            if let intake = lines.last(where: { $0.hasPrefix("listening on") }).flatMap({ Int($0.split(separator: ":").last ?? "") }),
               let console = lines.last(where: { $0.hasPrefix("console on") })
                .flatMap({ Int($0.split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? "") }) {
                port = intake
                consolePort = console
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SubprocessError(description: "kiosk-center did not start: \(process.errorText)")
    }

    public func stop(signal: Int32 = SIGTERM) {
        process?.signal(signal)
        process?.wait()
        process = nil
    }

    /// Runs another kiosk-center command against this centre.
    public func command(_ arguments: [String], input: String? = nil) throws -> RunResult {
        try runToEnd([product("kiosk-center")] + arguments + self.arguments, input: input)
    }

    /// Registers a kiosk; returns its shared secret (hex), the first of the
    /// two lines `kiosk add` prints (the second is `publicKey`).
    public func addKiosk(_ code: String, options: [String] = []) throws -> String {
        let printed = try command(["kiosk", "add", code] + options).stdout.split(separator: "\n")
        guard printed.count == 2, (try? CentrePublicKey(text: String(printed[1]))) == publicKey else {
            throw SubprocessError(description: "kiosk add \(code) printed \(printed.count) lines, not the secret and the public key")
        }
        return String(printed[0])
    }

    /// What a technician pastes into `kioskctl credentials centre-secret`: the secret and the public key.
    public func enrolment(secret: String) -> String {
        secret + "\n" + publicKey.description
    }

    /// Adds a console account with the password given on standard input.
    public func addStaff(_ name: String, role: String, password: String, street: String? = nil,
                         partner: String? = nil) throws {
        let result = try command(["staff", "add", name, "--role", role] + (street.map { ["--street", $0] } ?? [])
                                 + (partner.map { ["--partner", $0] } ?? []), input: password + "\n")
        guard result.status == 0 else { throw SubprocessError(description: "staff add \(name): \(result.stderr)") }
    }

    deinit { stop(signal: SIGKILL) }
}
