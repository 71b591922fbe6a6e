import ArgumentParser
import Foundation
import IntakeProtocol
import KioskConfig
import KioskStore
import StorageSupport

/// `kioskctl credentials`: the kiosk's key files. A kiosk holds its centre
/// secret (signing), the receipt key derived from it, and the centre's
/// public key (sealing); never a key that opens what it stores.
struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Manage the kiosk's key files.",
        subcommands: [Initialise.self, CentreSecret.self, CentreKey.self, Reseal.self])

    struct Initialise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create missing key files in the credentials folder (see --credentials); never overwrites.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let config = try CredentialsCommand.loadConfiguration(options)
            let credentials = options.credentialStore
            let name = config.credentials.receiptKey
            let created = try credentials.createKeyIfMissing(named: name)
            print("\(credentials.url(for: name).path): \(created ? "created" : "kept (already there)")")
            let centre = credentials.url(for: config.credentials.centreSecret)
            let publicKey = credentials.url(for: config.credentials.centrePublicKey)
            if !FileManager.default.fileExists(atPath: centre.path) || !FileManager.default.fileExists(atPath: publicKey.path) {
                print("\(centre.path), \(publicKey.path): missing; run `kiosk-center kiosk add \(config.identity.kioskCode)` "
                      + "at the centre, then `kioskctl credentials centre-secret` here and paste the two lines it printed")
            }
        }
    }

    /// Stores the secret the centre gave this kiosk (read from standard
    /// input, so it stays out of the shell history and the process list),
    /// the receipt key derived from it, and the centre's public key when a
    /// second line carries it (as `kiosk-center kiosk add` prints them).
    struct CentreSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "centre-secret",
            abstract: "Store the centre secret (64 hex digits) and the centre's public key (x25519:…), as `kiosk-center kiosk add` printed them, from standard input.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let config = try CredentialsCommand.loadConfiguration(options)
            let text = (readLine(strippingNewline: true) ?? "").filter { !$0.isWhitespace }
            let publicKeyLine = readLine(strippingNewline: true)
            guard text.count == 64, let key = [UInt8](hex: text) else {
                throw CommandFailure(description: "the centre secret must be 64 hex digits, as `kiosk-center kiosk add` printed it")
            }
            let credentials = options.credentialStore
            try credentials.write(key, named: config.credentials.centreSecret)
            print("\(credentials.url(for: config.credentials.centreSecret).path): stored")
            // Receipts are signed with a key derived from this secret, so the
            // centre can check the QR code of every ticket this kiosk prints.
            let receiptKey = ReceiptKey.derivedBytes(fromCentreSecret: key, kioskCode: config.identity.kioskCode)
            try credentials.write(receiptKey, named: config.credentials.receiptKey)
            print("\(credentials.url(for: config.credentials.receiptKey).path): derived from the centre secret "
                  + "(restart kiosk-front to sign receipts with it)")
            if let line = publicKeyLine, !line.allSatisfy(\.isWhitespace) {
                try CentreKey.store(line, config: config, options: options)
            }
        }
    }

    /// Stores the centre's public key alone: for a kiosk installed before
    /// sealing to it, or after the centre made a new key pair.
    struct CentreKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "centre-key",
            abstract: "Store the centre's public key (x25519:…, from `kiosk-center credentials public-key`) read from standard input.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let config = try CredentialsCommand.loadConfiguration(options)
            try Self.store(readLine(strippingNewline: true) ?? "", config: config, options: options)
        }

        static func store(_ text: String, config: KioskConfiguration, options: GlobalOptions) throws {
            let key: CentrePublicKey
            do { key = try CentrePublicKey(text: text) } catch {
                throw CommandFailure(description: error.description)
            }
            let credentials = options.credentialStore
            try credentials.writeCentrePublicKey(key, named: config.credentials.centrePublicKey)
            print("\(credentials.url(for: config.credentials.centrePublicKey).path): stored (restart kiosk-display or kiosk-front to seal to it)")
            // A kiosk from before sealing to the centre moves its queue now.
            let legacy = credentials.url(for: config.credentials.legacySealKey)
            if FileManager.default.fileExists(atPath: legacy.path) {
                try Reseal.reseal(config: config, options: options)
            }
        }
    }

    /// Moves requests sealed by earlier versions with the kiosk's own
    /// symmetric key to the centre's public key, then destroys that key.
    struct Reseal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal requests from earlier versions to the centre's public key, then destroy the old seal key.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try Self.reseal(config: try CredentialsCommand.loadConfiguration(options), options: options)
        }

        static func reseal(config: KioskConfiguration, options: GlobalOptions) throws {
            let environment = try KioskEnvironment.open(options)
            let credentials = options.credentialStore
            let legacyURL = credentials.url(for: config.credentials.legacySealKey)
            let pending = try environment.store.legacySealedCount()
            if pending > 0 {
                let legacy: [UInt8], centre: CentrePublicKey
                do {
                    legacy = try credentials.key(named: config.credentials.legacySealKey)
                    centre = try credentials.centrePublicKey(named: config.credentials.centrePublicKey)
                } catch {
                    throw CommandFailure(description: "\(error.description)\n\(pending) request(s) still wait to be resealed")
                }
                let moved = try environment.store.resealLegacy(legacyKey: legacy, to: centre)
                print("\(moved) request(s) sealed to the centre's public key")
            }
            // Only once every row has moved (one transaction, all or nothing):
            // the key then opens nothing on this kiosk.
            if try credentials.destroy(named: config.credentials.legacySealKey) {
                print("\(legacyURL.path): destroyed; nothing on this kiosk opens stored requests any more")
            } else if pending == 0 {
                print("nothing to reseal")
            }
        }
    }
}

extension CredentialsCommand {
    /// The key names come from the configuration; without a valid one, say why.
    static func loadConfiguration(_ options: GlobalOptions) throws -> KioskConfiguration {
        do {
            return try ConfigurationLoader.load(from: options.configDirectory)
        } catch {
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(1)
        }
    }
}
