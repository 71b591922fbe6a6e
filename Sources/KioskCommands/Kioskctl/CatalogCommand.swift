import ArgumentParser
import Foundation
import KioskConfig
import KioskDomain

/// `kioskctl catalog [--json]`: the programmes and services this kiosk offers.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "List the programmes and services the kiosk offers.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Listing: Encodable {
        struct ServiceEntry: Encodable {
            var id: String
            var name: LocalizedText
            var kind: ServiceKind
        }

        struct ProgrammeEntry: Encodable {
            var id: String
            var name: LocalizedText
            var services: [ServiceEntry]
        }

        var programmes: [ProgrammeEntry]

        init(_ catalog: Catalog) {
            programmes = catalog.programmes.map { programme in
                ProgrammeEntry(id: programme.id, name: programme.name, services: programme.services.map {
                    ServiceEntry(id: $0.id, name: $0.name, kind: $0.kind)
                })
            }
        }
    }

    func run() throws {
        let catalog: Catalog
        do {
            catalog = try ConfigurationLoader.load(from: options.configDirectory).catalog
        } catch {
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(Listing(catalog)), as: UTF8.self))
            return
        }
        for programme in catalog.programmes {
            print("\(programme.id)  \(programme.name.chinese) / \(programme.name.english)")
            for service in programme.services {
                let kind = service.kind.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
                print("  \(service.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \(kind) \(service.name.chinese) / \(service.name.english)")
            }
        }
    }
}
