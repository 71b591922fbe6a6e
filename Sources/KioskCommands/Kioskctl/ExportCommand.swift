import ArgumentParser
import Foundation
import IntakeProtocol
import KioskStore

/// `kioskctl export --out FILE`: every request not yet forwarded, as the
/// forwarder would send it (personal data sealed to the centre's key), in a
/// bundle signed for the centre, for a kiosk cut off for days. The requests stay
/// queued: when the kiosk reconnects the centre answers each resend with
/// the reference the import gave it, so nothing is stored twice.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write unforwarded requests to a sealed bundle for kiosk-center import.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "The bundle file to write.")
    var out: String

    func run() throws {
        let environment = try KioskEnvironment.open(options)
        let store = environment.store
        let records = try store.records(in: .queued, limit: 1_000_000) + store.records(in: .sending, limit: 1_000_000)
        var bodies: [Data] = []
        var waiting = 0
        for record in records {
            guard let id = UUID(uuidString: record.id) else { continue }
            do {
                guard let sealed = try store.sealedSubmission(id: id) else { continue }
                bodies.append(try sealed.encoded())
            } catch let error as StoreError where error.isLegacySeal {
                waiting += 1
            }
        }
        if waiting > 0 {
            printError("\(waiting) request(s) are still sealed with the old seal key and are not in the bundle: "
                       + "run `kioskctl credentials reseal`, then export again")
        }
        let secret: [UInt8]
        do { secret = try environment.credentials.key(named: environment.config.credentials.centreSecret) } catch {
            throw CommandFailure(description: error.description)
        }
        let bundle = try OfflineBundle.seal(bodies: bodies, kioskCode: environment.config.identity.kioskCode, secret: secret)
        let url = URL(fileURLWithPath: out)
        try JSONEncoder().encode(bundle).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        print("exported \(bodies.count) request(s) to \(url.path), to import before \(bundle.expiresAt); "
              + "they stay queued until the centre acknowledges them")
    }
}
