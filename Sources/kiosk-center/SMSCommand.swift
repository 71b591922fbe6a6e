import ArgumentParser
import Foundation

/// `kiosk-center sms reply-url`: the address Kannel's `sms-service` calls
/// with a resident's reply, signed for this centre (put it in kannel.conf).
struct SMSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sms", abstract: "Text messages to residents: the reply address for the SMS gateway.",
        subcommands: [ReplyURL.self])

    struct ReplyURL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reply-url",
            abstract: "Print the get-url for Kannel's sms-service: residents' replies reach the centre there.")
        @OptionGroup var options: CenterOptions

        func run() async throws {
            let configuration = try options.loadConfiguration()
            guard let gateway = configuration.messaging.gateway else {
                throw CenterFailure("messages.yaml names no gateway: text messages are off")
            }
            let store = try await options.open(configuration)
            let base = gateway.callbackURL.hasSuffix("/") ? String(gateway.callbackURL.dropLast()) : gateway.callbackURL
            // %p: the sender's number; %a: the whole text (Kannel's escapes).
            print(base + "/sms/mo?sig=\(store.messageKeys.replySignature)&from=%p&text=%a")
        }
    }
}
