import ArgumentParser
import CentreConsole
import CentreStore
import CentreWorkflow
import Foundation
import Glibc
import KioskDomain
#if canImport(Glibc)
#endif

/// `kiosk-center staff …`: the console's accounts.
struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Console accounts: add, list, disable, set a password.",
        subcommands: [Add.self, List.self, Disable.self, Password.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account; the password (at least 12 characters) is read from standard input.")
        @OptionGroup var options: CenterOptions
        @Argument(help: "Sign-in name: lower-case letters, digits, '.', '-', '_'.") var name: String
        @Option(help: """
            adviser, supervisor, auditor, technician (reads the kiosk fleet page only) or partner (a partner \
            organisation's staff: answers the referrals made to it; needs --partner).
            """) var role: StaffRole
        @Option(help: ArgumentHelp("""
            The street whose cases this account sees (a street code of center.yaml). Without it: every street's, \
            as a district supervisor or the staff of a centre without streets.
            """, valueName: "CODE"))
        var street: String?
        @Option(help: ArgumentHelp("The partner organisation (an id of partners.yaml) a partner account works for.",
                                   valueName: "ID"))
        var partner: String?

        func validate() throws {
            guard (role == .partner) == (partner != nil) else {
                throw ValidationError("--role partner needs --partner ID, and only a partner account takes --partner")
            }
            if partner != nil, street != nil { throw ValidationError("a partner account serves every street: leave out --street") }
        }

        func run() async throws {
            let configuration = try options.loadConfiguration()
            if let street { try options.requireStreet(street, in: configuration) }
            if let partner, configuration.partner(partner) == nil {
                throw CenterFailure("no partner '\(partner)' in partners.yaml (partners: "
                                    + configuration.partners.map(\.id).joined(separator: ", ") + ")")
            }
            let store = try await options.open(configuration)
            try await store.addStaff(name, role: role, password: try readPassword(), street: street, partner: partner,
                                     actor: options.commandLineActor)
            let scope = partner.map { " for \($0)" } ?? street.map { " in \($0)" } ?? " for every street"
            print("added \(name) as \(role.rawValue)" + scope)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every account, its role and whether it can sign in.")
        @OptionGroup var options: CenterOptions

        func run() async throws {
            for member in try await options.open().staff() {
                var state = member.disabled ? "disabled" : "active"
                if let until = member.lockedUntil, until > Date() { state += ", locked until \(until)" }
                print("\(member.username.padding(toLength: 20, withPad: " ", startingAt: 0)) "
                      + "\(member.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                      + "\((member.partner ?? member.street ?? "every street").padding(toLength: 16, withPad: " ", startingAt: 0)) \(state)")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an account signing in; ends its sessions now.")
        @OptionGroup var options: CenterOptions
        @Argument var name: String

        func run() async throws {
            try await options.open().disableStaff(name, actor: options.commandLineActor)
            print("disabled \(name)")
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a new password (from standard input); lifts a lockout and ends the account's sessions.")
        @OptionGroup var options: CenterOptions
        @Argument var name: String

        func run() async throws {
            try await options.open().setPassword(name, password: try readPassword(), actor: options.commandLineActor)
            print("password set for \(name)")
        }
    }
}

extension StaffRole: ExpressibleByArgument {}

/// A password from standard input: typed without echo at a terminal, else
/// the first line (for scripts: `printf '%s\n' "$PASSWORD" | kiosk-center staff add …`).
func readPassword() throws -> String {
    if isatty(0) == 1, let typed = getpass("Password (at least \(CenterError.minimumPasswordLength) characters): ") {
        return String(cString: typed)
    }
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CenterFailure("no password on standard input")
    }
    return line
}

/// `kiosk-center audit`: the access log, for an auditor at the shell.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Print the access log (who looked at or changed which case), newest first.")
    @OptionGroup var options: CenterOptions
    @Option(help: "From this day (yyyy-MM-dd, the centre's time zone) or time (ISO 8601).") var since: String?
    @Flag(help: "One JSON array.") var json = false

    func run() async throws {
        let config = try options.loadConfiguration()
        var start: Date?
        if let since {
            start = ISO8601DateFormatter().date(from: since) ?? config.startOfDay(since)
            guard start != nil else { throw CenterFailure("--since must be a day (2026-11-30) or an ISO 8601 time") }
        }
        let store = try await options.open(config)
        let entries = try await store.auditEntries(since: start, limit: Int.max)
        try await store.audit(actor: options.commandLineActor, action: "read_audit", detail: since)
        if json {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
        } else {
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = config.timeZone
            for entry in entries {
                print([formatter.string(from: entry.at), entry.actor, entry.action, entry.caseReference ?? "-",
                       entry.detail ?? ""].joined(separator: "\t"))
            }
        }
    }
}

/// `kiosk-center report`: the supervisor's month, as text or CSV.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Requests of a month by programme, service, level and street; first contact; outcomes.")
    @OptionGroup var options: CenterOptions
    @Option(help: "The month, yyyy-MM.") var month: String
    @Flag(help: "CSV (UTF-8 with BOM, opens in a spreadsheet).") var csv = false
    @Option(help: "zh-Hans or en.") var language = "zh-Hans"

    func run() async throws {
        let config = try options.loadConfiguration()
        let store = try await options.open(config)
        let report: MonthReport
        do { report = try await store.report(month: month) } catch let error as CenterError { throw CenterFailure(error.description) }
        let lines = ReportLines(report, config: config, language: language == "en" ? .english : .chinese)
        if csv {
            try await store.audit(actor: options.commandLineActor, action: "export_report", detail: month)
            FileHandle.standardOutput.write(lines.csv(language: language == "en" ? .english : .chinese))
        } else {
            var section = ""
            for line in lines.lines {
                if line.section != section {
                    section = line.section
                    print("\n" + section)
                }
                print("  \(line.item)\t\(line.count)\(line.detail.isEmpty ? "" : "\t" + line.detail)")
            }
        }
    }
}
