import CentreWorkflow
import Foundation

/// What the centre's `/metrics` and `/health` read from its database:
/// counts only, never a name, a reference or a kiosk's secret.
public struct CentreGauges: Sendable, Equatable {
    public var openCases: [CaseState: Int]
    public var overdueCases: Int
    public var submissions: Int
    public var kiosksEnrolled: Int
    public var kiosksRevoked: Int
    /// Text messages not yet settled, by state (queued, sending, sent without a report).
    public var pendingMessages: [String: Int] = [:]
    /// Messages that failed in the last 24 hours.
    public var failedMessagesLastDay = 0
    /// Age of the oldest message not yet delivered (queued, sending or sent): grows when delivery stops.
    public var oldestUndeliveredSeconds: Double = 0
}

extension CenterStore {
    public func gauges(now: Date = Date()) async throws -> CentreGauges {
        try await database.read { db in
            var open: [CaseState: Int] = Dictionary(uniqueKeysWithValues: CaseState.allCases.filter(\.isOpen).map { ($0, 0) })
            for row in try await db.fetchAll("SELECT state, COUNT(*) AS n FROM cases WHERE state != 'closed' GROUP BY state") {
                if let state = CaseState(rawValue: row["state"]) { open[state] = row["n"] }
            }
            // Overdue as the inbox counts it: no first contact by the level's deadline.
            let overdue: Int = try await db.fetchValue("SELECT COUNT(*) FROM cases c WHERE \(Self.overdueCondition)",
                                                 [now.millisecondsSince1970]) ?? 0
            let submissions: Int = try await db.fetchValue("SELECT COUNT(*) FROM submissions") ?? 0
            let kiosks = try await db.fetchOne("""
                SELECT COUNT(*) AS total, COUNT(revoked_at) AS revoked FROM kiosks
                """)!
            var gauges = CentreGauges(openCases: open, overdueCases: overdue, submissions: submissions,
                                      kiosksEnrolled: kiosks["total"] - kiosks["revoked"], kiosksRevoked: kiosks["revoked"])
            var oldest: Int64?
            for row in try await db.fetchAll("""
                SELECT state, COUNT(*) AS n, MIN(created_at) AS oldest FROM messages
                WHERE state IN ('queued', 'sending', 'sent') GROUP BY state
                """) {
                gauges.pendingMessages[row["state"]] = Int(row["n"] as Int64)
                if let first: Int64 = row["oldest"] { oldest = min(oldest ?? first, first) }
            }
            gauges.oldestUndeliveredSeconds = oldest.map { max(0, Double(now.millisecondsSince1970 - $0) / 1000) } ?? 0
            gauges.failedMessagesLastDay = try await db.fetchValue("""
                SELECT COUNT(*) FROM messages WHERE state = 'failed' AND failed_at >= ?
                """, [now.addingTimeInterval(-86_400).millisecondsSince1970]) ?? 0
            return gauges
        }
    }
}
