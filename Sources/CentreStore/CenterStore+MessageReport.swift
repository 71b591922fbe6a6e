import Foundation

/// Text messages in a month's report: how many went, reached the phone or
/// did not, and what residents answered to the follow-up.
public struct MessageReport: Sendable, Equatable {
    public var sent = 0
    public var delivered = 0
    public var failed = 0
    /// Sent, still without a delivery report.
    public var unconfirmed = 0
    public var replies = 0
    public var answeredYes = 0
    public var answeredNo = 0

    public init() {}
}

extension CenterStore {
    /// Messages created in [start, end) for `scope`'s cases, and the replies received then.
    func messageReport(start: Date, end: Date, scope: StreetScope) async throws -> MessageReport {
        let range: [any SQLArgument] = [start.millisecondsSince1970, end.millisecondsSince1970]
        return try await database.read { db in
            var report = MessageReport()
            for row in try await db.fetchAll("""
                SELECT m.state, COUNT(*) AS n FROM messages m JOIN cases c ON c.seq = m.seq
                WHERE \(scope.clause("m.created_at >= ?", "m.created_at < ?")) GROUP BY m.state
                """, scope.arguments(range)) {
                let count = Int(row["n"] as Int64)
                switch row["state"] as String {
                case "delivered": report.delivered += count; report.sent += count
                case "sent": report.unconfirmed += count; report.sent += count
                case "failed": report.failed += count
                default: break
                }
            }
            for row in try await db.fetchAll("""
                SELECT r.answer, COUNT(*) AS n FROM message_replies r JOIN cases c ON c.seq = r.seq
                WHERE \(scope.clause("r.received_at >= ?", "r.received_at < ?")) GROUP BY r.answer
                """, scope.arguments(range)) {
                let count = Int(row["n"] as Int64)
                report.replies += count
                switch row["answer"] as String? {
                case "yes": report.answeredYes += count
                case "no": report.answeredNo += count
                default: break
                }
            }
            return report
        }
    }
}
