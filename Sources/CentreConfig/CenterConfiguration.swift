import Foundation
import KioskConfig
import KioskDomain

/// What a centre edits without a rebuild (`center-config/`): its name and
/// time zone, first-contact deadlines per hardship level, the console's
/// session rules, the partners it refers to, its streets, the district's
/// catalog and assessment (to name what residents chose), and retention.
public struct CenterConfiguration: Sendable {
    public var name: LocalizedText
    public var timeZone: TimeZone
    public var deadlines: FirstContactDeadlines
    public var console: ConsoleSettings
    public var cases: CaseRules
    public var retention: CenterRetention
    public var partners: [Partner]
    public var streets: [Area]
    public var catalog: Catalog
    public var assessment: Assessment
    /// Where the cases are kept (center.yaml's `database:`).
    public var database: DatabaseSetting = .sqlite(path: nil)
    /// Proxies whose X-Forwarded-For names the client (center.yaml's `intake.trusted_proxies`).
    public var trustedProxies: TrustedProxies = .none
    /// Connections one client address may hold on the intake listener (`intake.connections_per_address`).
    public var intakeConnectionsPerAddress = CenterConfiguration.standardConnectionsPerAddress
    public static let standardConnectionsPerAddress = 200
    /// Where referral slips are printed (center.yaml's `referral_slips:`).
    public var slips = SlipSettings()
    /// The home-visit assessment form (`home-visit.yaml`).
    public var homeVisit: HomeVisitForm
    /// Text messages to residents (`messages.yaml`).
    public var messaging: MessagingSettings

    public func partner(_ id: String) -> Partner? { partners.first { $0.id == id } }

    /// A street's name for staff; "—" when the resident was not sure of it (an empty code).
    public func streetName(_ code: String, _ language: Language) -> String {
        code.isEmpty ? "—" : street(code)?.name[language] ?? code
    }
    public func street(_ code: String) -> Area? { streets.first { $0.code == code } }
}

/// Where a centre keeps its data: a SQLite file (a street centre; by
/// default `center.sqlite` in the state folder) or a PostgreSQL database
/// shared by a district's centre processes.
public enum DatabaseSetting: Sendable, Equatable {
    /// nil: `center.sqlite` in the state folder; a relative path is taken from there.
    case sqlite(path: String?)
    case postgres(PostgresSettings)
}

/// A partner organisation of the resource alliance (资源联盟) a case can be
/// referred (转介) to: what the resident needs to find it (printed on the
/// referral slip), what help it gives, and how soon it must answer.
public struct Partner: Sendable, Hashable {
    public var id: String
    public var name: LocalizedText
    public var address: LocalizedText
    public var hours: LocalizedText
    public var phone: String
    /// What the resident should bring (ID card, hukou booklet, …); nil: nothing said.
    public var bring: LocalizedText?
    /// The kinds of help it gives (material, service, psychological).
    public var helps: Set<HelpKind>
    /// The programmes (catalog ids) it takes referrals for; empty: any.
    public var programmes: [String]
    /// Working days (Monday to Friday, the centre's time zone) it has to answer a referral.
    public var answerWithinWorkingDays: Int

    public static let standardAnswerWithin = 3

    public init(id: String, name: LocalizedText, address: LocalizedText, hours: LocalizedText, phone: String,
                bring: LocalizedText? = nil, helps: Set<HelpKind> = Set(HelpKind.allCases), programmes: [String] = [],
                answerWithinWorkingDays: Int = Partner.standardAnswerWithin) {
        self.id = id
        self.name = name
        self.address = address
        self.hours = hours
        self.phone = phone
        self.bring = bring
        self.helps = helps
        self.programmes = programmes
        self.answerWithinWorkingDays = answerWithinWorkingDays
    }

    /// When a referral made at `start` must have been answered.
    public func answerDue(from start: Date, timeZone: TimeZone) -> Date {
        FirstContactDeadlines.adding(workingDays: answerWithinWorkingDays, to: start, timeZone: timeZone)
    }

    /// Whether it takes a referral for `programme`.
    public func takes(programme: String) -> Bool { programmes.isEmpty || programmes.contains(programme) }
}

/// The three kinds of help the seed names: 物质 + 服务 + 心理. One family may
/// need all three, from three partners.
public enum HelpKind: String, Sendable, Hashable, CaseIterable, Codable {
    case material
    case service
    case psychological
}

/// How long after a request arrives its resident must first be contacted.
public struct FirstContactDeadlines: Sendable, Hashable {
    public enum Span: Sendable, Hashable {
        case hours(Int)
        /// Monday to Friday in the centre's time zone; a request that arrives
        /// on a weekend counts from the next Monday's start.
        case workingDays(Int)
    }

    public var red: Span
    public var yellow: Span
    public var green: Span

    public func span(for level: HardshipLevel) -> Span {
        switch level {
        case .red: red
        case .yellow: yellow
        case .green: green
        }
    }

    /// When a request of `level` received at `start` must have been contacted.
    public func due(level: HardshipLevel, from start: Date, timeZone: TimeZone) -> Date {
        switch span(for: level) {
        case let .hours(hours):
            return start.addingTimeInterval(Double(hours) * 3600)
        case let .workingDays(days):
            return Self.adding(workingDays: days, to: start, timeZone: timeZone)
        }
    }

    /// `days` working days (Monday to Friday in `timeZone`) after `start`; a
    /// start on a weekend counts from the next Monday's start.
    public static func adding(workingDays days: Int, to start: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var date = start
        while calendar.isDateInWeekend(date) {
            date = calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1, to: date)!)
        }
        var left = days
        while left > 0 {
            date = calendar.date(byAdding: .day, value: 1, to: date)!
            if !calendar.isDateInWeekend(date) { left -= 1 }
        }
        return date
    }

    public static let standard = FirstContactDeadlines(red: .hours(4), yellow: .workingDays(1), green: .workingDays(3))
}

public struct ConsoleSettings: Sendable, Hashable {
    /// A session unused this long ends; staff sign in again.
    public var sessionIdle: Duration
    /// Wrong passwords in a row before an account is locked, and for how long.
    public var lockoutAfterFailures: Int
    public var lockout: Duration
    /// Mark cookies Secure even without `X-Forwarded-Proto: https`
    /// (behind a TLS proxy that does not send it).
    public var secureCookies: Bool
    public var pageSize: Int

    public init(sessionIdle: Duration, lockoutAfterFailures: Int, lockout: Duration, secureCookies: Bool, pageSize: Int) {
        self.sessionIdle = sessionIdle
        self.lockoutAfterFailures = lockoutAfterFailures
        self.lockout = lockout
        self.secureCookies = secureCookies
        self.pageSize = pageSize
    }

    public static let standard = ConsoleSettings(sessionIdle: .seconds(15 * 60), lockoutAfterFailures: 5,
                                                 lockout: .seconds(15 * 60), secureCookies: false, pageSize: 50)
}

public struct CaseRules: Sendable, Hashable {
    /// "Unreachable" may close a case only after this many unanswered attempts.
    public var unreachableAfterAttempts: Int
    /// Consent versions whose text lets the centre pass the resident's ID
    /// number to a partner: only under these does an adviser's "share ID"
    /// reach the partner. Empty (the shipped consent covers only the
    /// centre's advisers): a partner never sees it.
    public var partnerIDConsentVersions: Set<String>

    public init(unreachableAfterAttempts: Int, partnerIDConsentVersions: Set<String> = []) {
        self.unreachableAfterAttempts = unreachableAfterAttempts
        self.partnerIDConsentVersions = partnerIDConsentVersions
    }

    public static let standard = CaseRules(unreachableAfterAttempts: 3)
}

public struct CenterRetention: Sendable, Hashable {
    /// A closed case's personal data is erased this long after closing.
    public var eraseClosedAfterDays: Int
    /// Kiosk heartbeats (health only, no personal data) are kept this long.
    public var keepHeartbeatsDays: Int = 30
}

/// Where and how the centre prints referral slips (center.yaml's `referral_slips:`).
public struct SlipSettings: Sendable, Hashable {
    /// The centre's CUPS queue; nil: slips are offered as PDF only.
    public var printer: String?
    public var widthMM: Double
    public var fontFamily: String

    public init(printer: String? = nil, widthMM: Double = 80, fontFamily: String = "WenQuanYi Micro Hei") {
        self.printer = printer
        self.widthMM = widthMM
        self.fontFamily = fontFamily
    }
}
