import Foundation
import IntakeProtocol
import StorageSupport
#if canImport(Glibc)
import Glibc
#endif
import KioskConfig
import KioskDomain
import KioskPrinting
import KioskStore
import Logging
import Receipts

/// What every role starts from: a checked configuration, the credentials and
/// the open store. Building it is all-or-nothing, so a daemon either runs
/// fully configured or refuses to start with the reason.
public struct KioskEnvironment: Sendable {
    public let options: GlobalOptions
    public let config: KioskConfiguration
    public let credentials: CredentialStore
    public let store: KioskStore

    public static let databaseName = "kiosk.sqlite"

    /// - Parameters:
    ///   - check: none by default: the daemons check the file in the
    ///     background after READY=1 and `kioskd migrate` (run before them at
    ///     boot) checks it fully; a file that is not a database is refused anyway.
    ///   - sealing: whether this command seals personal data (the front
    ///     only); it then reads the centre's public key. Nothing on the kiosk
    ///     can open sealed data again.
    ///   - access: `.tool` (kioskctl) opens only a database the services
    ///     created and migrated; `.service` (kioskd) creates and migrates it.
    public static func open(_ options: GlobalOptions, check: StartupCheck = .none,
                            sealing: Bool = false, access: KioskStore.Access = .tool) throws -> KioskEnvironment {
        let config = try configuration(options, access: access)
        let credentials = options.credentialStore
        do {
            let key = sealing ? try credentials.centrePublicKey(named: config.credentials.centrePublicKey) : nil
            let store = try KioskStore(
                path: options.stateDirectory.appendingPathComponent(databaseName).path, centreKey: key,
                issuer: ReceiptIssuer(kioskCode: config.identity.kioskCode, timeZone: config.identity.timeZone),
                check: check, access: access)
            return KioskEnvironment(options: options, config: config, credentials: credentials, store: store)
        } catch {
            let verb = access == .service ? "refusing to start" : "cannot continue"
            throw CommandFailure(description: "\(verb): \(error)")
        }
    }

    /// The checked configuration alone, for commands that need no database.
    public static func configuration(_ options: GlobalOptions,
                                     access: KioskStore.Access = .tool) throws -> KioskConfiguration {
        do {
            return try ConfigurationLoader.load(from: options.configDirectory)
        } catch {
            let verb = access == .service ? "refusing to start: " : ""
            throw CommandFailure(description: error.description + "\n\(verb)the configuration has problems")
        }
    }
}

extension KioskEnvironment {
    /// What keeps the kiosk's roles from starting for want of a key file:
    /// the receipt key and the centre's public key (front), the centre
    /// secret (forwarder). Empty when all are there and usable, and for key
    /// files this user may not read (monitoring runs without keys; the
    /// services' own start says if one is bad).
    public static func credentialProblems(_ options: GlobalOptions) throws -> [String] {
        let config = try configuration(options)
        let credentials = options.credentialStore
        func readable(_ name: String) -> Bool {
            Glibc.access(credentials.url(for: name).path, R_OK) == 0 || errno != EACCES
        }
        var problems: [String] = []
        for name in [config.credentials.receiptKey, config.credentials.centreSecret] where readable(name) {
            do { _ = try credentials.key(named: name) } catch { problems.append(error.description) }
        }
        if readable(config.credentials.centrePublicKey) {
            do { _ = try credentials.centrePublicKey(named: config.credentials.centrePublicKey) } catch {
                problems.append(error.description)
            }
        }
        return problems
    }

    /// The key receipts are signed with.
    public func receiptKey() throws -> ReceiptKey {
        do {
            return ReceiptKey(bytes: try credentials.key(named: config.credentials.receiptKey))
        } catch {
            throw CommandFailure(description: error.description)
        }
    }

    public func receiptLayout() throws -> ReceiptLayout {
        do {
            return try ReceiptLayout.load(from: options.assetsDirectory.appendingPathComponent("receipt-layout.yaml"))
        } catch {
            throw CommandFailure(description: error.description)
        }
    }

    public func receiptPrinter(logger: Logger, output: ReceiptPrinter.Output = .cups) throws -> ReceiptPrinter {
        ReceiptPrinter(store: store, config: config, layout: try receiptLayout(), receiptKey: try receiptKey(),
                       logger: logger, output: output)
    }
}
