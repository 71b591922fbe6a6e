import ArgumentParser
import CentreStore
import Foundation

/// `kiosk-center partner …`: the API secrets of partner organisations
/// whose own systems fetch and answer their referrals.
struct PartnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner", abstract: "Partner systems' API secrets: add (or rotate), revoke.",
        subcommands: [Add.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: """
            Give a partner of partners.yaml a secret for the partner API and print it (once; hand it over as you \
            would a password). Run again to rotate: the previous secret stops working at once.
            """)
        @OptionGroup var options: CenterOptions
        @Argument(help: "The partner's id in partners.yaml.") var id: String

        func run() async throws {
            let configuration = try options.loadConfiguration()
            guard configuration.partner(id) != nil else {
                throw CenterFailure("no partner '\(id)' in partners.yaml (partners: "
                                    + configuration.partners.map(\.id).joined(separator: ", ") + ")")
            }
            print(try await options.open(configuration).rotatePartnerSecret(id, actor: options.commandLineActor))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shut a partner's system out of the API now.")
        @OptionGroup var options: CenterOptions
        @Argument(help: "The partner's id in partners.yaml.") var id: String

        func run() async throws {
            try await options.open().revokePartnerSecret(id, actor: options.commandLineActor)
            print("revoked the API secret of \(id)")
        }
    }
}
