import ArgumentParser
import Foundation
import IntakeProtocol
import KioskDomain
import KioskStore

/// `kioskctl progress RECEIPT`: what a resident sees when checking a
/// request at the kiosk, for a technician or a resident on the phone.
/// Nothing personal: only states, times and a partner's name.
struct ProgressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "A request's progress: still queued here, or its steps at the centre (fetched by the forwarder).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The receipt number, as printed (the check character catches a typo).") var receipt: String
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        struct Step: Encodable {
            var state: String
            var at: Date
            @NullWhenUnset var partner: String?
            @NullWhenUnset var outcome: String?
            /// A partner's answer: received, accepted, declined or completed.
            @NullWhenUnset var referral: String?
        }

        var receiptNumber: String
        /// waiting, sent, set_aside or unknown: where it stands on this kiosk.
        var here: String
        @NullWhenUnset var sentAt: Date?
        var steps: [Step]
    }

    func run() throws {
        let number: ReceiptNumber
        do { number = try ReceiptNumber(parsing: receipt) } catch {
            throw ValidationError("\(receipt.prefix(32)): \(error)")
        }
        let progress = try KioskEnvironment.open(options).store.progress(of: number)
        let (here, sentAt): (String, Date?) = switch progress.here {
        case .waiting: ("waiting", nil)
        case let .sent(at): ("sent", at)
        case .setAside: ("set_aside", nil)
        case .unknown: ("unknown", nil)
        }
        let report = Report(receiptNumber: number.description, here: here, sentAt: sentAt, steps: progress.steps.map {
            Report.Step(state: $0.state.rawValue, at: $0.at, partner: $0.partner?.chinese, outcome: $0.outcome?.rawValue,
                        referral: $0.referral?.step.rawValue)
        })
        if json {
            try JSONOutput.print(report)
            return
        }
        let formatter = ISO8601DateFormatter()
        let words = ["waiting": "still queued on this kiosk: not yet sent to the centre",
                     "sent": "sent to the centre", "set_aside": "set aside: the centre refused it (kioskctl queue dead)",
                     "unknown": "not a request of this kiosk"]
        print("\(report.receiptNumber): \(words[here] ?? here)\(sentAt.map { " at \(formatter.string(from: $0))" } ?? "")")
        for step in report.steps {
            let referral = step.referral.map { "  referral \($0)" } ?? ""
            print("\(formatter.string(from: step.at))  \(step.state)\(referral)\(step.partner.map { "  \($0)" } ?? "")"
                  + (step.outcome.map { "  \($0)" } ?? ""))
        }
    }
}
