import ArgumentParser
import Foundation
import KioskConfig

/// `kioskctl config check [DIR]`: like `httpd -n`, says `configuration OK`
/// or lists every problem as `file:line: message` and exits 1.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the district configuration.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a configuration folder; exit 0 if it is usable, 1 with every problem if not.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("Folder to check (default: --config).", valueName: "DIR"))
        var directory: String?

        func run() throws {
            let folder = directory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? options.configDirectory
            do {
                let config = try ConfigurationLoader.load(from: folder)
                let services = config.catalog.programmes.reduce(0) { $0 + $1.services.count }
                print("configuration OK (kiosk \(config.identity.kioskCode): \(config.catalog.programmes.count) programmes, \(services) services, \(config.assessment.questions.count) questions)")
            } catch {
                for problem in error.problems { printError(problem.description) }
                throw ExitCode(1)
            }
        }
    }
}
