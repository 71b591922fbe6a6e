import IntakeProtocol
import ArgumentParser
import Foundation
import KioskConfig
import KioskStore
import Receipts

/// `kioskctl verify TOKEN`: checks a receipt's QR token with the receipt key,
/// offline, and prints what it says.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Verify a receipt token (or the URL in its QR code); exit 1 if it is not genuine.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The token, as scanned from the QR code.")
    var token: String

    func run() throws {
        let config: KioskConfiguration
        do { config = try ConfigurationLoader.load(from: options.configDirectory) } catch {
            throw CommandFailure(description: error.description)
        }
        let credentials = options.credentialStore
        let key: ReceiptKey
        do { key = ReceiptKey(bytes: try credentials.key(named: config.credentials.receiptKey)) } catch {
            throw CommandFailure(description: error.description)
        }
        do {
            let verified = try ReceiptToken(verifying: token, key: key)
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = config.identity.timeZone
            print("token OK")
            print("receipt number: \(verified.receiptNumber)")
            print("kiosk:          \(verified.kioskCode)")
            print("issued at:      \(formatter.string(from: verified.issuedAt))")
        } catch {
            throw CommandFailure(description: "token NOT valid: \(error)")
        }
    }
}
