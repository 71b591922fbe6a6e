import ArgumentParser
import Foundation
import KioskConfig
import KioskStore

/// `kioskctl credentials init`: creates the seal and receipt keys a new
/// kiosk needs, never replacing one that exists.
struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Manage the kiosk's key files.", subcommands: [Initialise.self])

    struct Initialise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create missing key files (in $CREDENTIALS_DIRECTORY or <state>/credentials); never overwrites.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let config: KioskConfiguration
            do {
                config = try ConfigurationLoader.load(from: options.configDirectory)
            } catch {
                for problem in error.problems { printError(problem.description) }
                throw ExitCode(1)
            }
            let credentials = CredentialStore(stateDirectory: options.stateDirectory)
            for name in [config.credentials.sealKey, config.credentials.receiptKey] {
                let created = try credentials.createKeyIfMissing(named: name)
                print("\(credentials.url(for: name).path): \(created ? "created" : "kept (already there)")")
            }
        }
    }
}
