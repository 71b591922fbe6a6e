import Foundation
import KioskConfig
import KioskDomain

/// Reads a centre's configuration folder (`center.yaml`, `partners.yaml`,
/// `catalog.yaml`, `assessment.yaml`, `home-visit.yaml`, `messages.yaml`) into a checked `CenterConfiguration`,
/// or throws every problem at once as `file:line: message` — the same rules
/// and messages as the kiosk's own configuration (`kiosk-center config check`).
public enum CenterConfigurationLoader {
    public static let fileNames = ["center.yaml", "partners.yaml", "catalog.yaml", "assessment.yaml", "home-visit.yaml",
                                   "messages.yaml"]

    public static func load(from directory: URL) throws(ConfigurationError) -> CenterConfiguration {
        let log = ProblemLog()
        let roots = ConfigurationLoader.readFiles(fileNames, in: directory, log: log)
        let center = roots["center.yaml"].flatMap(readCenter)
        let catalog = roots["catalog.yaml"].flatMap(ConfigurationLoader.readCatalog)
        let partners = roots["partners.yaml"].flatMap { readPartners($0, catalog: catalog) }
        let assessment = roots["assessment.yaml"].flatMap(ConfigurationLoader.readAssessment)
        let homeVisit = roots["home-visit.yaml"].flatMap(readHomeVisit)
        let messaging = roots["messages.yaml"].flatMap { readMessages($0, partners: partners) }
        guard log.problems.isEmpty, let center, let partners, let catalog, let assessment, let homeVisit, let messaging else {
            throw ConfigurationLoader.failure(log, in: directory)
        }
        return CenterConfiguration(
            name: center.name, timeZone: center.timeZone, deadlines: center.deadlines, console: center.console,
            cases: center.cases, retention: center.retention, partners: partners, streets: center.streets,
            catalog: catalog, assessment: assessment, database: center.database, trustedProxies: center.trustedProxies,
            intakeConnectionsPerAddress: center.connectionsPerAddress, slips: center.slips, homeVisit: homeVisit,
            messaging: messaging)
    }

    /// What `center.yaml` holds.
    struct CenterFile {
        var name: LocalizedText
        var timeZone: TimeZone
        var deadlines: FirstContactDeadlines
        var console: ConsoleSettings
        var cases: CaseRules
        var retention: CenterRetention
        var streets: [Area]
        var database: DatabaseSetting
        var trustedProxies: TrustedProxies
        var connectionsPerAddress: Int
        var slips: SlipSettings
    }

    static func readCenter(_ root: YAMLNode) -> CenterFile? {
        guard let top = root.mapping("center.yaml", keys: ["centre", "deadlines", "console", "cases", "retention", "streets", "database", "intake",
                                                           "referral_slips"])
        else { return nil }
        var name: LocalizedText?, timeZone: TimeZone?
        if let map = top.required("centre")?.mapping("centre", keys: ["name", "time_zone"]) {
            name = map.required("name")?.localized("centre.name")
            if let node = map.required("time_zone"), let text = node.string("centre.time_zone") {
                timeZone = TimeZone(identifier: text)
                if timeZone == nil { node.problem("centre.time_zone '\(text)' is not a known time zone (e.g. Asia/Shanghai)") }
            }
        }
        var deadlines: FirstContactDeadlines?
        if let map = top.required("deadlines")?.mapping("deadlines", keys: ["red", "yellow", "green"]) {
            let red = map.required("red").flatMap { readSpan($0, "deadlines.red") }
            let yellow = map.required("yellow").flatMap { readSpan($0, "deadlines.yellow") }
            let green = map.required("green").flatMap { readSpan($0, "deadlines.green") }
            if let red, let yellow, let green { deadlines = FirstContactDeadlines(red: red, yellow: yellow, green: green) }
        }
        var console: ConsoleSettings?
        if let map = top.required("console")?.mapping("console", keys: [
            "session_idle_minutes", "lockout_after_failures", "lockout_minutes", "secure_cookies", "page_size"]) {
            let idle = map.required("session_idle_minutes")?.int("console.session_idle_minutes", in: 1...480)
            let failures = map.required("lockout_after_failures")?.int("console.lockout_after_failures", in: 2...20)
            let lockout = map.required("lockout_minutes")?.int("console.lockout_minutes", in: 1...1440)
            let secure = map.required("secure_cookies")?.bool("console.secure_cookies")
            let pageSize = map.optional("page_size")?.int("console.page_size", in: 10...500) ?? 50
            if let idle, let failures, let lockout, let secure {
                console = ConsoleSettings(sessionIdle: .seconds(idle * 60), lockoutAfterFailures: failures,
                                          lockout: .seconds(lockout * 60), secureCookies: secure, pageSize: pageSize)
            }
        }
        var rules: CaseRules?
        if let map = top.required("cases")?.mapping("cases", keys: ["unreachable_after_attempts", "partner_id_consent_versions"]) {
            let versions = map.optional("partner_id_consent_versions")?.sequence("cases.partner_id_consent_versions")
                .map { $0.compactMap { $0.string("cases.partner_id_consent_versions") } }
            if let attempts = map.required("unreachable_after_attempts")?.int("cases.unreachable_after_attempts", in: 1...20) {
                rules = CaseRules(unreachableAfterAttempts: attempts, partnerIDConsentVersions: Set(versions ?? []))
            }
        }
        var retention: CenterRetention?
        if let map = top.required("retention")?.mapping("retention", keys: ["erase_closed_after_days", "keep_heartbeats_days"]) {
            // Optional: a center.yaml from before it keeps 30 days.
            var heartbeats: Int? = 30
            if let node = map.optional("keep_heartbeats_days") {
                heartbeats = node.int("retention.keep_heartbeats_days", in: 1...3650)
            }
            if let days = map.required("erase_closed_after_days")?.int("retention.erase_closed_after_days", in: 1...3650),
               let heartbeats {
                retention = CenterRetention(eraseClosedAfterDays: days, keepHeartbeatsDays: heartbeats)
            }
        }
        let streets = top.required("streets").flatMap(ConfigurationLoader.readAreas)
        var database: DatabaseSetting? = .sqlite(path: nil)
        if let node = top.optional("database") {
            database = readDatabase(node)
        }
        // Optional: without it no proxy is believed and every limit counts the peer.
        var trusted: TrustedProxies? = TrustedProxies.none
        var perAddress: Int? = CenterConfiguration.standardConnectionsPerAddress
        let intake = top.optional("intake")?.mapping("intake", keys: ["trusted_proxies", "connections_per_address"])
        if let node = intake?.optional("connections_per_address") {
            perAddress = node.int("intake.connections_per_address", in: 1...800)
        }
        if let map = intake, let list = map.optional("trusted_proxies")?.sequence("intake.trusted_proxies") {
            let entries = list.compactMap { $0.string("intake.trusted_proxies") }
            switch TrustedProxies.parse(entries) {
            case let .success(proxies) where entries.count == list.count: trusted = proxies
            case .success: trusted = nil
            case let .failure(invalid):
                list.first { $0.node.string == invalid.entry }?
                    .problem("intake.trusted_proxies: '\(invalid.entry)' is not an IP address or CIDR range (10.0.0.5, 10.0.0.0/24, ::1)")
                trusted = nil
            }
        }
        let slips = top.optional("referral_slips").map(readSlips) ?? SlipSettings()
        guard let name, let timeZone, let deadlines, let console, let rules, let retention, let streets, let database,
              let trusted, let perAddress, let slips
        else { return nil }
        return CenterFile(name: name, timeZone: timeZone, deadlines: deadlines, console: console, cases: rules,
                          retention: retention, streets: streets, database: database, trustedProxies: trusted,
                          connectionsPerAddress: perAddress, slips: slips)
    }

    /// `database: postgres://USER@HOST:PORT/NAME?sslmode=…` or a SQLite file's path.
    static func readDatabase(_ node: YAMLNode) -> DatabaseSetting? {
        guard let text = node.string("database") else { return nil }
        switch PostgresSettings.parse(text) {
        case let .success(settings)?: return .postgres(settings)
        case let .failure(problem)?:
            node.problem(problem.description)
            return nil
        case nil:
            guard !text.contains("://") else {
                node.problem("database: '\(text)' is neither postgres://… nor a SQLite file's path")
                return nil
            }
            return .sqlite(path: text)
        }
    }

    /// `{hours: N}` or `{working_days: N}`.
    static func readSpan(_ node: YAMLNode, _ what: String) -> FirstContactDeadlines.Span? {
        guard let map = node.mapping(what, keys: ["hours", "working_days"]) else { return nil }
        switch (map.optional("hours"), map.optional("working_days")) {
        case let (hours?, nil): return hours.int("\(what).hours", in: 1...720).map { .hours($0) }
        case let (nil, days?): return days.int("\(what).working_days", in: 1...60).map { .workingDays($0) }
        default:
            node.problem("\(what) needs exactly one of hours or working_days")
            return nil
        }
    }
}
