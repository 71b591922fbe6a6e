import ArgumentParser
import CentreConfig
import CentrePostgres
import CentreSQLite
import CentreStore
import Foundation
import IntakeProtocol
import KioskConfig
import StorageSupport

/// Where the centre's files are, shared by every subcommand, so the
/// service and each command a person runs use the same database, the same
/// configuration and the same seal key.
struct CenterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("State folder: the database (env KIOSK_CENTER_STATE, default /var/lib/kiosk-center).",
                               valueName: "DIR"))
    var state: String?

    @Option(help: ArgumentHelp("Configuration folder (env KIOSK_CENTER_CONFIG, default /etc/kiosk-center).",
                               valueName: "DIR"))
    var config: String?

    @Option(help: ArgumentHelp("""
        Credentials folder with center-seal.key (env KIOSK_CENTER_CREDENTIALS; default $CREDENTIALS_DIRECTORY under \
        systemd, else <config>/credentials when it exists, else <state>/credentials).
        """, valueName: "DIR"))
    var credentials: String?

    @Option(help: ArgumentHelp("Assets folder with the console's pages (env KIOSK_ASSETS, default /usr/share/kiosk/assets).",
                               valueName: "DIR"))
    var assets: String?

    static let sealKeyName = "center-seal.key"
    /// The X25519 private key kiosks seal residents' data to.
    static let intakeKeyName = "center-intake.key"
    /// Optional: when present, Prometheus must present it to read `/metrics`.
    static let metricsTokenName = "center-metrics.token"

    /// The metrics token (64 hex digits, `openssl rand -hex 32`), or nil when there is none.
    func metricsToken() throws -> String? {
        guard FileManager.default.fileExists(atPath: credentialStore.url(for: Self.metricsTokenName).path) else { return nil }
        do { return try credentialStore.key(named: Self.metricsTokenName).hexString } catch {
            throw CenterFailure("refusing to start: \(error)")
        }
    }

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var stateDirectory: URL {
        URL(fileURLWithPath: state ?? environment["KIOSK_CENTER_STATE"] ?? "/var/lib/kiosk-center", isDirectory: true)
    }

    var configDirectory: URL {
        URL(fileURLWithPath: config ?? environment["KIOSK_CENTER_CONFIG"] ?? "/etc/kiosk-center", isDirectory: true)
    }

    var assetsDirectory: URL {
        URL(fileURLWithPath: assets ?? environment["KIOSK_ASSETS"] ?? "/usr/share/kiosk/assets", isDirectory: true)
    }

    /// One place for the seal key, whoever runs the program: systemd's
    /// credentials for the service, the root-only folder beside the
    /// configuration for a person at the shell (an installed centre:
    /// `/etc/kiosk-center/credentials`, which the unit loads too), else the
    /// state folder (development).
    var credentialStore: CredentialStore {
        if let folder = credentials ?? environment["KIOSK_CENTER_CREDENTIALS"] {
            return CredentialStore(directory: URL(fileURLWithPath: folder, isDirectory: true), createdBy: "kiosk-center credentials init")
        }
        if let systemd = environment["CREDENTIALS_DIRECTORY"], !systemd.isEmpty {
            return CredentialStore(directory: URL(fileURLWithPath: systemd, isDirectory: true), createdBy: "kiosk-center credentials init")
        }
        let beside = configDirectory.appendingPathComponent("credentials", isDirectory: true)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: beside.path, isDirectory: &isFolder), isFolder.boolValue {
            return CredentialStore(directory: beside, createdBy: "kiosk-center credentials init")
        }
        return CredentialStore(directory: stateDirectory.appendingPathComponent("credentials", isDirectory: true), createdBy: "kiosk-center credentials init")
    }

    func loadConfiguration() throws -> CenterConfiguration {
        do {
            return try CenterConfigurationLoader.load(from: configDirectory)
        } catch {
            for problem in error.problems { printError(problem.description) }
            throw CenterFailure("refusing to start: the configuration has problems (kiosk-center config check)")
        }
    }

    /// The intake private key; never created here (`kiosk-center credentials init`).
    func intakeKey() throws -> CentrePrivateKey {
        do {
            return try CentrePrivateKey(rawBytes: try credentialStore.key(named: Self.intakeKeyName))
        } catch {
            throw CenterFailure("\(error)")
        }
    }

    /// Opens the database with the seal key; never creates a key (that is
    /// `kiosk-center credentials init`, run once).
    func open(_ configuration: CenterConfiguration? = nil) async throws -> CenterStore {
        let configuration = try configuration ?? loadConfiguration()
        let key: [UInt8]
        do { key = try credentialStore.key(named: Self.sealKeyName) } catch {
            throw CenterFailure(error.description)
        }
        do {
            return try await CenterStore(database: try await openDatabase(configuration.database), sealKey: key,
                                         deadlines: configuration.deadlines, timeZone: configuration.timeZone,
                                         messaging: configuration.messaging)
        } catch let error as CenterError {
            throw CenterFailure(error.description)
        } catch let error as DatabaseUnavailable {
            throw CenterFailure(error.description)
        }
    }

    static let databasePasswordName = "center-database.password"

    /// The database center.yaml names: a SQLite file (by default in the
    /// state folder) or PostgreSQL with the password from the credential file.
    func openDatabase(_ setting: DatabaseSetting) async throws -> any CenterDatabase {
        switch setting {
        case let .sqlite(path):
            let file = path.map { URL(fileURLWithPath: $0, relativeTo: stateDirectory) }
                ?? stateDirectory.appendingPathComponent("center.sqlite")
            return try SQLiteCenterDatabase(path: file.path)
        case let .postgres(settings):
            return try await PostgresCenterDatabase(settings, password: try databasePassword())
        }
    }

    /// nil when there is no credential file (a server that trusts this host).
    func databasePassword() throws -> String? {
        let file = credentialStore.url(for: Self.databasePasswordName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw CenterFailure("\(file.path) cannot be read by this user")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let gatewayPasswordName = "kannel-sendsms.password"

    /// The SMS gateway's password (credential `kannel-sendsms.password`),
    /// needed once messages.yaml names a gateway.
    func gatewayPassword() throws -> String {
        let file = credentialStore.url(for: Self.gatewayPasswordName)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw CenterFailure("""
                refusing to start: messages.yaml names an SMS gateway, but \(file.path) is missing or unreadable \
                (the password of the gateway's sendsms user, one line, root only)
                """)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Refuses a street code center.yaml does not list.
    func requireStreet(_ code: String, in configuration: CenterConfiguration) throws {
        guard configuration.street(code) != nil else {
            throw CenterFailure("no street '\(code)' in center.yaml (streets: "
                                + configuration.streets.map(\.code).joined(separator: ", ") + ")")
        }
    }

    /// Who a command line action is recorded as in the access log.
    var commandLineActor: String {
        "command line (\(environment["SUDO_USER"] ?? environment["USER"] ?? "unknown"))"
    }
}

/// A refusal with its reason, printed as it is (exit 1).
struct CenterFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
