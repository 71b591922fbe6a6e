import ArgumentParser
import Foundation

/// `kioskctl purge`: erases applicant data the centre acknowledged longer
/// ago than the configured retention; receipt numbers and the audit trail stay.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Erase personal data past the retention period (retention.purge_after_days).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        // Erasing a sealed body needs no key to open it.
        let environment = try KioskEnvironment.open(options)
        let days = environment.config.retention.purgeAfterDays
        let count = try environment.store.purgePersonalData(acknowledgedMoreThan: days)
        print("purged personal data of \(count) request(s) acknowledged more than \(days) days ago")
    }
}
