import Foundation
import IntakeProtocol
import KioskDomain

extension CenterStore {
    /// The changes of state of one kiosk's requests after `after`, oldest
    /// first, for its residents to check at the kiosk. A step that changes
    /// nothing a resident would see (a second assignment, an unanswered
    /// call) is left out; a referral to another partner is kept, and so is
    /// each partner's answer (never why it declined).
    /// `partnerName` words a partner's id from the configuration.
    public func progress(kiosk: String, after: Int64, limit: Int,
                         partnerName: (String) -> LocalizedText?) async throws -> ProgressPage {
        let rows = try await database.read { db in
            try await db.fetchAll("""
                SELECT e.id, s.receipt_number, e.action, e.to_state, e.at, e.detail
                FROM case_events e JOIN submissions s ON s.seq = e.seq
                WHERE s.kiosk_code = ? AND e.id > ?
                  AND (e.from_state IS NULL OR e.from_state != e.to_state OR e.action IN ('refer', 'referral'))
                  AND \(db.dialect.settledEventsCondition)
                ORDER BY e.id LIMIT ?
                """, [kiosk, after, limit + 1])
        }
        let changes = rows.prefix(limit).compactMap { row -> ProgressChange? in
            let action: String = row["action"], detail: String? = row["detail"]
            let toState: String = row["to_state"]
            guard let number = ReceiptNumber(row["receipt_number"] as String),
                  let state = toState == "new" ? .received : ProgressState(rawValue: toState)
            else { return nil }
            if action == "referral" {
                guard let line = detail.flatMap(ReferralProgressLine.init(detail:)) else { return nil }
                return ProgressChange(id: row["id"], receiptNumber: number, state: state, at: Date(milliseconds: row["at"]),
                                      partner: partnerName(line.partner), referral: line.progress)
            }
            return ProgressChange(
                id: row["id"], receiptNumber: number, state: state, at: Date(milliseconds: row["at"]),
                partner: action == "refer" ? detail.flatMap(partnerName) : nil,
                outcome: action == "close" ? detail.flatMap(ProgressOutcome.init(rawValue:))
                    : action == "duplicate" ? .duplicate : nil)
        }
        return ProgressPage(changes: changes, more: rows.count > limit)
    }
}
