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
            return CentreGauges(openCases: open, overdueCases: overdue, submissions: submissions,
                                kiosksEnrolled: kiosks["total"] - kiosks["revoked"], kiosksRevoked: kiosks["revoked"])
        }
    }
}
