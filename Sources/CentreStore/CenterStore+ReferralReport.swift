import CentreConfig
import CentreWorkflow
import Foundation

/// The resource alliance in a month's report (the seed's 成效评估): per
/// partner, how referrals made that month were answered and what came of
/// them; per programme, how many of the month's cases ended with help delivered.
public struct ReferralReport: Sendable, Equatable {
    public struct Partner: Sendable, Equatable {
        public var partner: String
        public var referrals: Int
        /// Answered (accepted or declined) by the deadline, of those answered or past it.
        public var answeredInTime: Int
        public var answerDue: Int
        public var medianAnswerSeconds: Double?
        public var accepted: Int
        public var declined: [DeclineReason: Int]
        public var completed: Int
        public var delivered: [HelpKind: Int]
        public var open: Int
    }

    public var partners: [Partner]
    /// Programme → (cases made in the month, of them with help delivered:
    /// a referral completed, or closed as helped).
    public var helpDelivered: [(programme: String, cases: Int, delivered: Int)]

    public static func == (lhs: ReferralReport, rhs: ReferralReport) -> Bool {
        lhs.partners == rhs.partners && lhs.helpDelivered.map { "\($0)" } == rhs.helpDelivered.map { "\($0)" }
    }
}

extension CenterStore {
    /// The referrals made in [start, end), of `scope`'s cases.
    func referralReport(start: Date, end: Date, scope: StreetScope, now: Date) async throws -> ReferralReport {
        let range: [any SQLArgument] = [start.millisecondsSince1970, end.millisecondsSince1970]
        let (referrals, cases) = try await database.read { db in
            (try await db.fetchAll("""
                SELECT r.partner, r.state, r.created_at, r.answer_due_at, r.answered_at, r.decline_reason, r.delivered_kind
                FROM referrals r JOIN cases c ON c.seq = r.seq
                WHERE \(scope.clause("r.created_at >= ?", "r.created_at < ?"))
                """, scope.arguments(range)),
             try await db.fetchAll("""
                SELECT s.programme, COUNT(*) AS cases,
                       SUM(CASE WHEN c.outcome = 'helped' OR EXISTS (
                           SELECT 1 FROM referrals r WHERE r.seq = c.seq AND r.state = 'completed') THEN 1 ELSE 0 END) AS delivered
                FROM cases c JOIN submissions s ON s.seq = c.seq
                WHERE \(scope.clause("c.created_at >= ?", "c.created_at < ?"))
                GROUP BY s.programme ORDER BY s.programme
                """, scope.arguments(range)))
        }
        var partners: [String: ReferralReport.Partner] = [:]
        var waits: [String: [Double]] = [:]
        let nowMillis = now.millisecondsSince1970
        for row in referrals {
            let id: String = row["partner"]
            var line = partners[id] ?? ReferralReport.Partner(
                partner: id, referrals: 0, answeredInTime: 0, answerDue: 0, medianAnswerSeconds: nil, accepted: 0,
                declined: [:], completed: 0, delivered: [:], open: 0)
            line.referrals += 1
            let state = ReferralState(rawValue: row["state"]) ?? .requested
            let due: Int64 = row["answer_due_at"]
            if let answered: Int64 = row["answered_at"] {
                waits[id, default: []].append(Double(answered - (row["created_at"] as Int64)) / 1000)
                line.answerDue += 1
                if answered <= due { line.answeredInTime += 1 }
            } else if due < nowMillis, state.awaitsAnswer {
                line.answerDue += 1
            }
            if [.accepted, .inProgress, .completed].contains(state) { line.accepted += 1 }
            if let reason = (row["decline_reason"] as String?).flatMap(DeclineReason.init(rawValue:)) {
                line.declined[reason, default: 0] += 1
            }
            if state == .completed {
                line.completed += 1
                if let kind = (row["delivered_kind"] as String?).flatMap(HelpKind.init(rawValue:)) {
                    line.delivered[kind, default: 0] += 1
                }
            }
            if state.isOpen { line.open += 1 }
            partners[id] = line
        }
        for (id, values) in waits { partners[id]?.medianAnswerSeconds = Self.median(values) }
        return ReferralReport(
            partners: partners.values.sorted { $0.referrals != $1.referrals ? $0.referrals > $1.referrals : $0.partner < $1.partner },
            helpDelivered: cases.map { ($0["programme"], Int($0["cases"] as Int64), Int(($0["delivered"] as Int64?) ?? 0)) })
    }
}
