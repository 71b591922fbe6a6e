import CentreWorkflow
import Foundation
import KioskDomain

extension CenterStore {
    /// Outcome evaluation for a month's report: each case of `scope` closed in
    /// [start, end) with two counted visits or more (recorded, or approved: a
    /// level sent back never counted), its first visit against its last.
    func homeVisitOutcomes(start: Date, end: Date, scope: StreetScope) async throws -> [OutcomeEvaluation.Group] {
        let rows = try await database.read { db in
            try await db.fetchAll("""
                SELECT v.seq, s.programme, c.street, v.level, v.economic, v.social, v.development
                FROM visits v JOIN cases c ON c.seq = v.seq JOIN submissions s ON s.seq = v.seq
                WHERE \(scope.clause("c.state = 'closed'", "c.closed_at >= ?", "c.closed_at < ?",
                                     "v.state IN ('recorded', 'approved')"))
                ORDER BY v.seq, v.id
                """, scope.arguments([start.millisecondsSince1970, end.millisecondsSince1970]))
        }
        func visit(_ row: SQLRow) -> (HardshipLevel, DimensionScores) {
            (HardshipLevel(rawValue: row["level"]) ?? .yellow,
             DimensionScores(economic: Int(row["economic"] as Int64), social: Int(row["social"] as Int64),
                             development: Int(row["development"] as Int64)))
        }
        var families: [OutcomeEvaluation.Family] = []
        var index = rows.startIndex
        while index < rows.endIndex {
            let seq: Int64 = rows[index]["seq"]
            let end = rows[index...].firstIndex { ($0["seq"] as Int64) != seq } ?? rows.endIndex
            if end - index >= 2 {
                families.append(OutcomeEvaluation.Family(programme: rows[index]["programme"], street: rows[index]["street"],
                                                         first: visit(rows[index]), last: visit(rows[end - 1])))
            }
            index = end
        }
        return OutcomeEvaluation.evaluate(families)
    }
}
