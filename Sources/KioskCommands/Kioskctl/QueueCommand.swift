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
        @NullWhenUnset var nextAttemptAt: Date?
        @NullWhenUnset var centreReference: String?
        @NullWhenUnset var reason: String?

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
        static let configuration = CommandConfiguration(
            abstract: "Requests not yet forwarded, red first; with --all or --since, recent ones in every state, newest first.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Every state (forwarded and set aside too), newest first.") var all = false
        @Option(help: ArgumentHelp(
            "Only requests made since then, in every state: an age (30m, 24h, 7d) or a date (2026-11-29).",
            valueName: "WHEN"))
        var since: String?
        @Option(help: "At most this many requests.") var limit = 1000
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let since, QueueCommand.moment(since, now: Date()) == nil {
                throw ValidationError("--since \(since.prefix(32)): give an age such as 30m, 24h or 7d, or a date such as 2026-11-29")
            }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        }

        func run() throws {
            let store = try KioskEnvironment.open(options).store
            if all || since != nil {
                let from = since.flatMap { QueueCommand.moment($0, now: Date()) }
                try QueueCommand.printEntries(try store.recentRecords(since: from, limit: limit), json: json)
            } else {
                try QueueCommand.printEntries(
                    try Array((store.records(in: .sending, limit: limit) + store.records(in: .queued, limit: limit)).prefix(limit)),
                    json: json)
            }
        }
    }

    /// `30m`, `24h`, `7d` before now, or the start of a day (`2026-11-29`, in
    /// this machine's time zone); nil for anything else.
    static func moment(_ text: String, now: Date) -> Date? {
        if let unit = text.last, let count = Int(text.dropLast()), count >= 0 {
            let seconds: Int? = switch unit {
            case "m": 60
            case "h": 3600
            case "d": 86400
            default: nil
            }
            if let seconds { return now.addingTimeInterval(-Double(count * seconds)) }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        return formatter.date(from: text)
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
            if reveal {
                // Earlier versions could show it here; now only the centre can.
                throw CommandFailure(description: """
                    the personal data of \(record.receiptNumber) is sealed to the centre's public key: nothing on this \
                    kiosk can open it. Staff see it in the centre's console, where each view is audited
                    """)
            }
            let trail = try store.auditTrail(submissionID: record.id).map(AuditLine.init)
            if json {
                // One object: the request and its trail (a script parses it whole).
                struct Output: Encodable { var request: Entry; var audit: [AuditLine] }
                try JSONOutput.print(Output(request: Entry(record), audit: trail))
                return
            }
            try QueueCommand.printEntries([record], json: false)
            for line in trail {
                print("  \(line.at)  \(line.actor) \(line.event)\(line.detail.map { ": \($0)" } ?? "")")
            }
        }

        /// One audit row: who did what to the request, and when.
        struct AuditLine: Encodable {
            var at: Date
            var actor: String
            var event: String
            @NullWhenUnset var detail: String?

            init(_ record: AuditRecord) {
                at = Date(timeIntervalSince1970: Double(record.at) / 1000)
                actor = record.actor
                event = record.event
                detail = record.detail?.sanitizedForDisplay()
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
