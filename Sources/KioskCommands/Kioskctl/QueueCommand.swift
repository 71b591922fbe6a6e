import ArgumentParser
import Foundation
import KioskDomain
import KioskStore

/// `kioskctl queue list|show|retry|dead`: the requests waiting for the
/// centre. No personal data unless `--reveal`.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Requests on their way to the centre.",
        subcommands: [List.self, Show.self, Retry.self, Dead.self])

    struct Entry: Encodable {
        var receipt: String
        var state: String
        var hardship: String
        var createdAt: Date
        var attempts: Int
        var nextAttemptAt: Date?
        var centreReference: String?
        var reason: String?

        init(_ record: SubmissionRecord) {
            receipt = record.receiptNumber
            state = record.state.rawValue
            hardship = record.hardship
            createdAt = Date(timeIntervalSince1970: Double(record.createdAt) / 1000)
            attempts = record.attempts
            nextAttemptAt = record.state == .queued ? Date(timeIntervalSince1970: Double(record.nextAttemptAt) / 1000) : nil
            centreReference = record.centreReference
            // Rows stored before reasons were cleaned on the way in are cleaned here.
            reason = (record.deadReason ?? record.lastError)?.sanitizedForDisplay()
        }
    }

    static func printEntries(_ records: [SubmissionRecord], json: Bool) throws {
        let entries = records.map(Entry.init)
        if json {
            try JSONOutput.print(entries)
            return
        }
        for entry in entries {
            print("\(entry.receipt)  \(entry.state.padding(toLength: 9, withPad: " ", startingAt: 0)) \(entry.hardship.padding(toLength: 6, withPad: " ", startingAt: 0)) tries \(entry.attempts)\(entry.reason.map { "  \($0)" } ?? "")")
        }
        if entries.isEmpty { print("(none)") }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests not yet forwarded, red first.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try KioskEnvironment.open(options).store
            try QueueCommand.printEntries(try store.records(in: .sending, limit: 1000) + store.records(in: .queued, limit: 1000),
                                          json: json)
        }
    }

    struct Dead: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests the centre refused, with the reason.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try QueueCommand.printEntries(try KioskEnvironment.open(options).store.records(in: .dead, limit: 1000), json: json)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request by receipt number, with its audit trail.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The receipt number.") var receipt: String
        @Flag(help: .hidden) var reveal = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try KioskEnvironment.open(options).store
            let record = try QueueCommand.find(receipt, in: store)
            try QueueCommand.printEntries([record], json: json)
            for entry in try store.auditTrail(submissionID: record.id) {
                print("  \(Date(timeIntervalSince1970: Double(entry.at) / 1000))  \(entry.actor) \(entry.event)\(entry.detail.map { ": \($0.sanitizedForDisplay())" } ?? "")")
            }
            if reveal {
                // Earlier versions could show it here; now only the centre can.
                throw CommandFailure(description: """
                    the personal data of \(record.receiptNumber) is sealed to the centre's public key: nothing on this \
                    kiosk can open it. Staff see it in the centre's console, where each view is audited
                    """)
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a dead request again.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The receipt number.") var receipt: String

        func run() throws {
            let store = try KioskEnvironment.open(options).store
            let record = try QueueCommand.find(receipt, in: store)
            guard try store.retryDead(record.id) else {
                throw CommandFailure(description: "\(record.receiptNumber) is \(record.state.rawValue), not dead")
            }
            print("\(record.receiptNumber) queued again")
        }
    }

    static func find(_ text: String, in store: KioskStore) throws -> SubmissionRecord {
        let number: ReceiptNumber
        do { number = try ReceiptNumber(parsing: text) } catch {
            throw CommandFailure(description: "\(text.prefix(40)): \(error)")
        }
        guard let record = try store.record(receipt: number) else {
            throw CommandFailure(description: "no request with receipt number \(number) on this kiosk")
        }
        return record
    }
}
