import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// A month at the centre, for the supervisor: how many asked for what, where
/// from, how fast they were first contacted, and how their cases ended.
/// Built from plain columns only, so it stays right after retention erases
/// the residents' data.
public struct MonthReport: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var key: String
        public var count: Int

        public init(key: String, count: Int) {
            self.key = key
            self.count = count
        }
    }

    public struct FirstContact: Sendable, Equatable {
        public var level: HardshipLevel
        public var requests: Int
        public var contacted: Int
        /// Median from arrival to first contact, over those contacted.
        public var medianSeconds: Double?
        /// Contacted by the deadline, out of those whose deadline has passed or who were contacted.
        public var withinDeadline: Int
        public var due: Int
    }

    public struct Day: Sendable, Equatable {
        /// yyyy-MM-dd in the centre's time zone.
        public var date: String
        public var red: Int
        public var yellow: Int
        public var green: Int
        public var total: Int { red + yellow + green }
    }

    public var month: String
    public var total: Int
    public var byProgramme: [Count]
    /// `programme/service`.
    public var byService: [Count]
    public var byLevel: [Count]
    public var byStreet: [Count]
    public var firstContact: [FirstContact]
    public var outcomes: [Count]
    public var open: Int
    public var days: [Day]
    /// The referrals made in the month, per partner, and the help delivered per programme.
    public var referrals = ReferralReport(partners: [], helpDelivered: [])
    /// The cases closed in the month with two visits or more: the last against the first, per programme and street.
    public var homeVisits: [OutcomeEvaluation.Group] = []
    /// Text messages to residents made in the month, and replies received.
    public var messages = MessageReport()
}

extension CenterStore {
    /// The report for `month` ("yyyy-MM"), counting requests made in it:
    /// the cases of `street`'s kiosks, or of every street (the district's).
    public func report(month: String, street: String? = nil, now: Date = Date()) async throws -> MonthReport {
        guard let (start, end) = Self.monthRange(month, timeZone: timeZone) else {
            throw CenterError(description: "month must be written yyyy-MM, e.g. 2026-11")
        }
        let scope = StreetScope(street: street)
        let rows = try await database.read { db in
            try await db.fetchAll("""
                SELECT s.programme, s.service, c.priority, c.street, c.created_at, c.received_at, c.due_at,
                       c.first_contact_at, c.state, c.outcome
                FROM cases c JOIN submissions s ON s.seq = c.seq
                WHERE \(scope.clause("c.created_at >= ?", "c.created_at < ?"))
                """, scope.arguments([start.millisecondsSince1970, end.millisecondsSince1970]))
        }
        var programmes: [String: Int] = [:], services: [String: Int] = [:], levels: [String: Int] = [:]
        var streets: [String: Int] = [:], outcomes: [String: Int] = [:]
        var waits: [HardshipLevel: [Double]] = [:], requests: [HardshipLevel: Int] = [:]
        var within: [HardshipLevel: Int] = [:], due: [HardshipLevel: Int] = [:]
        var days: [String: MonthReport.Day] = [:]
        var open = 0
        let nowMillis = now.millisecondsSince1970
        for row in rows {
            let level = HardshipLevel(priority: row["priority"])
            let programme: String = row["programme"], service: String = row["service"]
            programmes[programme, default: 0] += 1
            services["\(programme)/\(service)", default: 0] += 1
            levels[level.rawValue, default: 0] += 1
            streets[row["street"], default: 0] += 1
            requests[level, default: 0] += 1
            if let outcome: String = row["outcome"] { outcomes[outcome, default: 0] += 1 } else { open += 1 }
            let received: Int64 = row["received_at"], deadline: Int64 = row["due_at"]
            if let contact: Int64 = row["first_contact_at"] {
                waits[level, default: []].append(Double(contact - received) / 1000)
                due[level, default: 0] += 1
                if contact <= deadline { within[level, default: 0] += 1 }
            } else if deadline < nowMillis {
                due[level, default: 0] += 1
            }
            let date = LocalTime(Date(milliseconds: row["created_at"]), timeZone).day
            var entry = days[date] ?? MonthReport.Day(date: date, red: 0, yellow: 0, green: 0)
            switch level {
            case .red: entry.red += 1
            case .yellow: entry.yellow += 1
            case .green: entry.green += 1
            }
            days[date] = entry
        }
        // Every day of the month, so a chart shows quiet days as gaps.
        var allDays: [MonthReport.Day] = []
        var cursor = start
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        while cursor < end {
            let date = LocalTime(cursor, timeZone).day
            allDays.append(days[date] ?? MonthReport.Day(date: date, red: 0, yellow: 0, green: 0))
            cursor = calendar.date(byAdding: .day, value: 1, to: cursor)!
        }
        func sorted(_ counts: [String: Int]) -> [MonthReport.Count] {
            counts.map { MonthReport.Count(key: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        }
        let referrals = try await referralReport(start: start, end: end, scope: scope, now: now)
        return MonthReport(
            month: month, total: rows.count, byProgramme: sorted(programmes), byService: sorted(services),
            byLevel: HardshipLevel.allCases.map { MonthReport.Count(key: $0.rawValue, count: levels[$0.rawValue] ?? 0) },
            byStreet: sorted(streets),
            firstContact: HardshipLevel.allCases.map { level in
                MonthReport.FirstContact(level: level, requests: requests[level] ?? 0, contacted: waits[level]?.count ?? 0,
                                         medianSeconds: Self.median(waits[level] ?? []),
                                         withinDeadline: within[level] ?? 0, due: due[level] ?? 0)
            },
            outcomes: sorted(outcomes), open: open, days: allDays, referrals: referrals,
            homeVisits: try await homeVisitOutcomes(start: start, end: end, scope: scope),
            messages: try await messageReport(start: start, end: end, scope: scope))
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The first instant of `month` and of the month after, in `timeZone`.
    static func monthRange(_ month: String, timeZone: TimeZone) -> (Date, Date)? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
              let number = Int(parts[1]), (1...12).contains(number), (2000...2999).contains(year) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let start = calendar.date(from: DateComponents(year: year, month: number, day: 1)),
              let end = calendar.date(byAdding: .month, value: 1, to: start) else { return nil }
        return (start, end)
    }
}
