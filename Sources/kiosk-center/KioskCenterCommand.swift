import ArgumentParser
import CentreConfig
import CentreIntake
import CentreStore
import Foundation
import IntakeProtocol
import KioskDomain
import StorageSupport

/// The community acceptance centre's side: the kiosks' intake API, the
/// staff console, and the commands that look after them.
@main
struct KioskCenterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk-center", abstract: "The centre's intake service and staff console for help-request kiosks.",
        discussion: """
            EXIT STATUS: 0 success; 1 the command failed (the reason is on standard error); \
            64 a usage error (an unknown option, a missing or invalid argument).
            """,
        version: KioskVersion.current,
        subcommands: [Serve.self, KioskCommand.self, PartnerCommand.self, SMSCommand.self, Import.self, StaffCommand.self, AuditCommand.self,
                      ReportCommand.self, ConfigCommand.self, CredentialsCommand.self, PurgeCommand.self,
                      MigrateToPostgres.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest a bundle from `kioskctl export`; importing twice stores nothing twice.")
        @OptionGroup var options: CenterOptions
        @Argument(help: "The bundle file.") var file: String

        func run() async throws {
            let bundle = try JSONDecoder().decode(OfflineBundle.self, from: try Data(contentsOf: URL(fileURLWithPath: file)))
            let envelopes = IntakeEnvelopes(key: try options.intakeKey())
            let (created, duplicates) = try await envelopes.importBundle(bundle, into: try await options.open())
            print("imported from kiosk \(bundle.kioskCode): \(created) new, \(duplicates) already held")
        }
    }

    struct KioskCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kiosk", abstract: "Register, list, rotate and revoke kiosks.",
            subcommands: [Add.self, List.self, Rotate.self, Revoke.self, Street.self, Place.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a kiosk; prints its new secret once, then the centre's public key (give both lines to `kioskctl credentials centre-secret`).")
            @OptionGroup var options: CenterOptions
            @Argument(help: "The kiosk code, e.g. JA0301.") var code: String
            @Option(help: ArgumentHelp("The street it stands in (a street code of center.yaml): its cases are that street centre's.",
                                       valueName: "CODE"))
            var street: String?
            @Option(help: ArgumentHelp("Where it stands, as technicians find it (the fleet page shows it).",
                                       valueName: "TEXT"))
            var place: String?

            func run() async throws {
                if let street { try options.requireStreet(street, in: try options.loadConfiguration()) }
                // A place that cannot be kept stops the enrolment before it starts.
                if let place { _ = try KioskCommand.validPlace(place) }
                try await KioskCommand.printEnrolment(options) {
                    let secret = try await $0.addKiosk(code, street: street, actor: options.commandLineActor)
                    if let place { try await $0.setKioskPlace(code, place: place, actor: options.commandLineActor) }
                    return secret
                }
            }
        }

        struct Place: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Say where a kiosk stands (e.g. \"Wuding Rd community centre, lobby\"), as the fleet page shows it.")
            @OptionGroup var options: CenterOptions
            @Argument(help: "The kiosk code.") var code: String
            @Argument(help: "The place, in words.") var place: String

            func run() async throws {
                let text = try KioskCommand.validPlace(place)
                try await CenterCommandFailure.wrap {
                    try await options.open().setKioskPlace(code, place: text, actor: options.commandLineActor)
                }
                print("kiosk \(code) stands at \(text)")
            }
        }

        /// A place the store would keep, or a usage error (exit 64) saying why.
        static func validPlace(_ text: String) throws -> String {
            do { return try CenterStore.kioskPlace(text) } catch let error as CenterError {
                throw ValidationError(error.description)
            }
        }

        struct Street: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Place a kiosk in a street: its requests from now on are that street centre's.")
            @OptionGroup var options: CenterOptions
            @Argument(help: "The kiosk code.") var code: String
            @Argument(help: "A street code of center.yaml.") var street: String
            @Flag(help: "Also the cases it sent before.") var earlierCases = false

            func run() async throws {
                let configuration = try options.loadConfiguration()
                try options.requireStreet(street, in: configuration)
                try await CenterCommandFailure.wrap {
                    try await options.open(configuration).setKioskStreet(code, street: street, earlierCases: earlierCases,
                                                                   actor: options.commandLineActor)
                }
                print("kiosk \(code) is in \(street)" + (earlierCases ? ", with the cases it sent before" : ""))
            }
        }

        /// What a technician pastes into `kioskctl credentials centre-secret`:
        /// the kiosk's new secret, then the centre's public key.
        static func printEnrolment(_ options: CenterOptions, secret: (CenterStore) async throws -> String) async throws {
            let publicKey = try options.intakeKey().publicKey
            print(try await CenterCommandFailure.wrap { try await secret(try await options.open()) })
            print(publicKey)
        }

        struct Rotate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Give a kiosk a new secret (printed once, with the centre's public key, for `kioskctl credentials centre-secret`); the old one stops working at once, its receipts still verify. Re-admits a revoked kiosk.")
            @OptionGroup var options: CenterOptions
            @Argument(help: "The kiosk code.") var code: String

            func run() async throws {
                try await KioskCommand.printEnrolment(options) { try await $0.rotateKiosk(code, actor: options.commandLineActor) }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Shut a lost or stolen kiosk out: its requests, heartbeats and USB bundles are refused from now on; its receipts still verify.")
            @OptionGroup var options: CenterOptions
            @Argument(help: "The kiosk code.") var code: String

            func run() async throws {
                try await CenterCommandFailure.wrap { try await options.open().revokeKiosk(code, actor: options.commandLineActor) }
                print("kiosk \(code) revoked; `kiosk-center kiosk rotate \(code)` lets it back in with a new secret")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Registered kiosks, their health as the fleet page judges it, and their last heartbeat.")
            @OptionGroup var options: CenterOptions

            func run() async throws {
                let store = try await options.open()
                let fleet = Dictionary(uniqueKeysWithValues: try await store.fleet().map { ($0.code, $0) })
                for kiosk in try await store.kiosks() {
                    let state = kiosk.revokedAt.map { "REVOKED \($0)" } ?? "secret #\(kiosk.generation)"
                    let health = fleet[kiosk.code].map { "  \($0.health.rawValue)" } ?? ""
                    let place = fleet[kiosk.code]?.place.map { "  at \($0)" } ?? ""
                    print("\(kiosk.code)  \(kiosk.street ?? "(no street)")  \(state)\(health)  registered \(kiosk.registeredAt)  last heartbeat \(kiosk.lastHeartbeat.map { "\($0)" } ?? "never")  submissions \(kiosk.submissions)\(place)")
                }
            }
        }
    }

    struct ConfigCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config", abstract: "Check the centre's configuration.", subcommands: [Check.self])

        struct Check: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Say \"configuration OK\", or list every problem as file:line: message (exit 1).")
            @OptionGroup var options: CenterOptions
            @Argument(help: "The folder (default: --config).") var directory: String?

            func run() throws {
                let folder = directory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? options.configDirectory
                do {
                    let config = try CenterConfigurationLoader.load(from: folder)
                    print("configuration OK (\(config.partners.count) partners, \(config.streets.count) streets, "
                          + "\(config.catalog.programmes.count) programmes)")
                } catch {
                    for problem in error.problems { print(problem.description) }
                    throw ExitCode(1)
                }
            }
        }
    }

    struct CredentialsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "credentials", abstract: "The centre's seal key and intake key pair.",
            subcommands: [Initialise.self, PublicKey.self])

        struct Initialise: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "init",
                abstract: "Create center-seal.key and center-intake.key in the credentials folder if missing; never overwrites.")
            @OptionGroup var options: CenterOptions

            func run() throws {
                let store = options.credentialStore
                let created = try store.createKeyIfMissing(named: CenterOptions.sealKeyName)
                print("\(store.url(for: CenterOptions.sealKeyName).path): \(created ? "created; back it up: without it no request can be read" : "kept (already there)")")
                let intake = store.url(for: CenterOptions.intakeKeyName)
                if FileManager.default.fileExists(atPath: intake.path) {
                    print("\(intake.path): kept (already there)")
                } else {
                    try store.write(CentrePrivateKey.generate(), named: CenterOptions.intakeKeyName)
                    print("\(intake.path): created; back it up: without it no request still on a kiosk can be read. "
                          + "Kiosks seal to its public key (`kiosk-center credentials public-key`)")
                }
            }
        }

        struct PublicKey: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "public-key",
                abstract: "Print the public key kiosks seal residents' data to (for `kioskctl credentials centre-key`).")
            @OptionGroup var options: CenterOptions

            func run() throws {
                print(try options.intakeKey().publicKey)
            }
        }
    }

    struct PurgeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Erase the personal data of cases closed longer ago than retention.erase_closed_after_days, and old heartbeats.")
        @OptionGroup var options: CenterOptions

        func run() async throws {
            let config = try options.loadConfiguration()
            let cutoff = Date().addingTimeInterval(-Double(config.retention.eraseClosedAfterDays) * 86400)
            let store = try await options.open(config)
            let erased = try await store.eraseClosedCases(closedBefore: cutoff, actor: options.commandLineActor)
            let heartbeats = try await store.deleteHeartbeats(
                receivedBefore: Date().addingTimeInterval(-Double(config.retention.keepHeartbeatsDays) * 86400))
            print("erased the personal data of \(erased) closed cases; deleted \(heartbeats) old heartbeats")
        }
    }
}

/// A store refusal at the shell: its words, exit 1.
enum CenterCommandFailure {
    static func wrap<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as CenterError {
            throw CenterFailure(error.description)
        }
    }
}
