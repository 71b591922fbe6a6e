import ArgumentParser
import Foundation
import IntakeProtocol
import KioskConfig
import KioskStore

/// `kioskctl credentials init`: creates the seal and receipt keys a new
/// kiosk needs, never replacing one that exists.
struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Manage the kiosk's key files.", subcommands: [Initialise.self, CentreSecret.self])

    struct Initialise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create missing key files in the credentials folder (see --credentials); never overwrites.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let config = try CredentialsCommand.loadConfiguration(options)
            let credentials = options.credentialStore
            for name in [config.credentials.sealKey, config.credentials.receiptKey] {
                let created = try credentials.createKeyIfMissing(named: name)
                print("\(credentials.url(for: name).path): \(created ? "created" : "kept (already there)")")
            }
            let centre = credentials.url(for: config.credentials.centreSecret)
            if !FileManager.default.fileExists(atPath: centre.path) {
                print("\(centre.path): missing; run `kiosk-center kiosk add \(config.identity.kioskCode)` at the centre, "
                      + "then `kioskctl credentials centre-secret` here and paste what it printed")
            }
        }
    }

    /// Stores the secret the centre gave this kiosk (read from standard
    /// input, so it stays out of the shell history and the process list),
    /// and the receipt key derived from it.
    struct CentreSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "centre-secret",
            abstract: "Store the centre secret (64 hex digits from `kiosk-center kiosk add`) read from standard input.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let config = try CredentialsCommand.loadConfiguration(options)
            let text = (readLine(strippingNewline: true) ?? "").filter { !$0.isWhitespace }
            guard text.count == 64, let key = CredentialStore.hexBytes(text) else {
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
