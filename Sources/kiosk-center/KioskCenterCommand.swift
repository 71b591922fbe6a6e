import ArgumentParser
import Foundation
import Hummingbird
import IntakeProtocol
import KioskCenter
import KioskStore
import Logging
import ServiceNotify

/// The community acceptance centre's side: the intake API and its kiosks.
@main
struct KioskCenterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk-center", abstract: "The centre's intake service for help-request kiosks.",
        subcommands: [Serve.self, Kiosk.self, Import.self])

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("State folder: database and seal key (env KIOSK_CENTER_STATE).", valueName: "DIR"))
        var state: String?

        func open() throws -> CenterStore {
            let folder = URL(fileURLWithPath: state ?? ProcessInfo.processInfo.environment["KIOSK_CENTER_STATE"]
                ?? "/var/lib/kiosk-center")
            let credentials = CredentialStore(stateDirectory: folder)
            try credentials.createKeyIfMissing(named: "center-seal.key")
            return try CenterStore(path: folder.appendingPathComponent("center.sqlite").path,
                                   sealKey: try credentials.key(named: "center-seal.key"))
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the intake API until SIGTERM.")
        @OptionGroup var options: Options
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8740

        func run() async throws {
            LoggingSystem.bootstrap(JournalLogHandler.init)
            let logger = Logger(label: "kiosk-center")
            let store = try options.open()
            let notifier = ServiceNotifier()
            let app = Application(
                router: IntakeServer.router(store: store, logger: logger),
                configuration: .init(address: .hostname(host, port: port), serverName: "kiosk-center"),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port ?? port
                    // Tests and scripts read this line for the port.
                    FileHandle.standardOutput.write(Data("listening on \(host):\(bound)\n".utf8))
                    notifier.ready(status: "listening on \(host):\(bound)")
                },
                logger: logger)
            // The centre's requests wait on its database; the watchdog pings
            // only after a read of it returns, so a wedged store stops them.
            let watchdog = Task {
                guard let interval = notifier.watchdogInterval else { return }
                while !Task.isCancelled {
                    if (try? store.kiosks()) != nil { notifier.loopAlive() }
                    try? await Task.sleep(for: interval / 2)
                }
            }
            defer { watchdog.cancel() }
            try await app.runService()
            notifier.stopping()
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest a bundle from `kioskctl export`; importing twice stores nothing twice.")
        @OptionGroup var options: Options
        @Argument(help: "The bundle file.") var file: String

        func run() async throws {
            let bundle = try JSONDecoder().decode(OfflineBundle.self, from: try Data(contentsOf: URL(fileURLWithPath: file)))
            let (created, duplicates) = try await options.open().importBundle(bundle)
            print("imported from kiosk \(bundle.kioskCode): \(created) new, \(duplicates) already held")
        }
    }

    struct Kiosk: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register and list kiosks.", subcommands: [Add.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a kiosk; prints its new secret once.")
            @OptionGroup var options: Options
            @Argument(help: "The kiosk code, e.g. JA0301.") var code: String

            func run() throws {
                print(try options.open().addKiosk(code))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Registered kiosks and their last heartbeat.")
            @OptionGroup var options: Options

            func run() throws {
                for kiosk in try options.open().kiosks() {
                    print("\(kiosk.code)  registered \(kiosk.registeredAt)  last heartbeat \(kiosk.lastHeartbeat.map { "\($0)" } ?? "never")  submissions \(kiosk.submissions)")
                }
            }
        }
    }
}

