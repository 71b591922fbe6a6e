import Foundation

extension CenterStore {
    /// Erases the personal data of cases closed before `cutoff`: the sealed
    /// request, the triage reasons, the closing notes, the referrals' notes, the visits' records, the plans' words and the texts' words. The case row with
    /// its level, programme, service, street, times and outcome stays, so
    /// reports still count it; the access log keeps one line per run.
    /// Returns how many cases were erased.
    @discardableResult
    public func eraseClosedCases(closedBefore cutoff: Date, actor: String, now: Date = Date()) async throws -> Int {
        let erased = try await database.write { db -> Int in
            let selection = "SELECT seq FROM cases WHERE state = 'closed' AND erased_at IS NULL AND closed_at < ?"
            let cutoff = cutoff.millisecondsSince1970
            try await db.execute("UPDATE submissions SET sealed_body = ? WHERE seq IN (\(selection))", [Data(), cutoff])
            try await db.execute("UPDATE case_events SET sealed_note = NULL WHERE seq IN (\(selection))", [cutoff])
            // The referrals' notes, a decline's words, what was delivered: the kind, the day and the amount stay for reports.
            try await db.execute("""
                UPDATE referrals SET sealed_note = NULL, sealed_decline_note = NULL, sealed_delivered_what = NULL
                WHERE seq IN (\(selection))
                """, [cutoff])
            // A visit's record (who was met, the answers, the note) and a decision's note; its scores stay.
            try await db.execute("""
                UPDATE visits SET sealed_record = NULL, sealed_decision_note = NULL WHERE seq IN (\(selection))
                """, [cutoff])
            // A plan item's words and its outcome's note; its kind, owner, days and state stay.
            try await db.execute("""
                UPDATE plan_items SET sealed_what = NULL, sealed_outcome_note = NULL WHERE seq IN (\(selection))
                """, [cutoff])
            // An adviser's own texts, residents' replies and the number's digest; the messages' kinds and states stay.
            try await db.execute("UPDATE messages SET sealed_text = NULL WHERE seq IN (\(selection))", [cutoff])
            try await db.execute("UPDATE message_replies SET sealed_text = NULL WHERE seq IN (\(selection))", [cutoff])
            try await db.execute("UPDATE cases SET phone_key = NULL WHERE seq IN (\(selection))", [cutoff])
            try await db.execute("""
                UPDATE referral_events SET sealed_note = NULL
                WHERE referral_id IN (SELECT id FROM referrals WHERE seq IN (\(selection)))
                """, [cutoff])
            let count = try await db.execute("""
                UPDATE cases SET sealed_reasons = NULL, erased_at = ? WHERE seq IN (\(selection))
                """, [now.millisecondsSince1970, cutoff])
            if count > 0 {
                try await Self.audit(db, actor: actor, action: "erase", detail: "\(count) closed cases past retention", at: now)
            }
            return count
        }
        if erased > 0 {
            // Out of the engine's old pages too, not only the live rows.
            try await database.purgeErasedPages()
        }
        return erased
    }
}
