import CentreConfig
import CentreMessages
import Foundation
import IntakeProtocol
import KioskDomain

/// The sender's side of the outbox: the messages due now (quiet hours moved
/// on), each marked `sending` before it goes to the gateway, then what came
/// of it; delivery reports; and, at start, messages a stop left `sending`.
extension CenterStore {
    /// Up to `limit` messages due at `now`, marked `sending` (one more attempt each).
    public func takeDueMessages(now: Date = Date(), limit: Int = 20) async throws -> [OutgoingMessage] {
        guard let messaging else { return [] }
        let at = now.millisecondsSince1970
        if let quiet = messaging.quietHours {
            let allowed = quiet.nextAllowed(from: now, timeZone: timeZone)
            if allowed > now {
                // Quiet hours: what is due waits until they end (one statement, not a message at a time).
                try await database.write { db in
                    try await db.execute("""
                        UPDATE messages SET send_after = ? WHERE state = 'queued' AND send_after <= ?
                        """, [allowed.millisecondsSince1970, at])
                }
                return []
            }
        }
        return try await database.write { db in
            let rows = try await db.fetchAll("""
                SELECT m.id, m.kind, m.detail, m.sealed_text, m.attempts, s.id AS submission, s.sealed_body, s.receipt_number, c.due_at
                FROM messages m JOIN cases c ON c.seq = m.seq JOIN submissions s ON s.seq = m.seq
                WHERE m.state = 'queued' AND m.send_after <= ? ORDER BY m.send_after, m.id LIMIT ?
                """, [at, limit])
            var due: [OutgoingMessage] = []
            for row in rows {
                let id: Int64 = row["id"]
                guard let uuid = UUID(uuidString: row["submission"]), let kind = MessageKind(rawValue: row["kind"]),
                      let body = try? self.sealer.open(row["sealed_body"], boundTo: uuid),
                      let request = try? IntakeSubmission.decode(body) else {
                    // Erased by retention, or unreadable: nothing to send it to.
                    try await db.execute("""
                        UPDATE messages SET state = 'failed', failed_at = ?, status_detail = 'no-recipient' WHERE id = ?
                        """, [at, id])
                    continue
                }
                let text = try (row["sealed_text"] as Data?).map { String(decoding: try self.sealer.open($0, boundTo: uuid), as: UTF8.self) }
                try await db.execute("UPDATE messages SET state = 'sending', attempts = attempts + 1 WHERE id = ?", [id])
                due.append(OutgoingMessage(id: id, kind: kind, detail: row["detail"], phone: request.applicant.phone,
                                           language: Language(rawValue: request.language) ?? .chinese,
                                           receipt: row["receipt_number"], dueAt: Date(milliseconds: row["due_at"]), text: text,
                                           attempts: Int(row["attempts"] as Int64) + 1))
            }
            return due
        }
    }

    /// What the gateway said of message `id`: sent; back in the queue until
    /// `retryAt`; or failed for good, which asks an adviser to call.
    public func recordSend(_ result: SendResult, messageID id: Int64, retryAt: Date? = nil, now: Date = Date()) async throws {
        let at = now.millisecondsSince1970
        try await database.write { db in
            switch result {
            case let .accepted(segments):
                try await db.execute("""
                    UPDATE messages SET state = 'sent', sent_at = ?, segments = ?, status_detail = 'accepted'
                    WHERE id = ? AND state = 'sending'
                    """, [at, Int64(segments), id])
            case let .temporary(detail):
                try await db.execute("""
                    UPDATE messages SET state = 'queued', send_after = ?, status_detail = ? WHERE id = ? AND state = 'sending'
                    """, [(retryAt ?? now).millisecondsSince1970, String(detail.prefix(80)), id])
            case let .permanent(detail):
                try await db.execute("""
                    UPDATE messages SET state = 'failed', failed_at = ?, call_due_at = ?, status_detail = ?
                    WHERE id = ? AND state = 'sending'
                    """, [at, at, String(detail.prefix(80)), id])
            }
        }
    }

    /// A delivery report (Kannel's codes): 1 delivered to the phone; 2 not
    /// delivered, 16 refused by the carrier: failed, an adviser calls; 4 and
    /// 8 (queued, accepted by the carrier) only noted. False: no such message.
    @discardableResult
    public func recordDeliveryReport(messageID id: Int64, status: Int, now: Date = Date()) async throws -> Bool {
        let at = now.millisecondsSince1970
        return try await database.write { db in
            guard let state: String = try await db.fetchValue("SELECT state FROM messages WHERE id = ?", [id]) else { return false }
            guard state == MessageState.sent.rawValue || state == MessageState.sending.rawValue else { return true }
            switch status {
            case 1:
                try await db.execute("""
                    UPDATE messages SET state = 'delivered', delivered_at = ?, sent_at = COALESCE(sent_at, ?),
                        status_detail = 'delivered', call_due_at = NULL WHERE id = ?
                    """, [at, at, id])
            case 2, 16:
                try await db.execute("""
                    UPDATE messages SET state = 'failed', failed_at = ?, call_due_at = ?, status_detail = ? WHERE id = ?
                    """, [at, at, status == 2 ? "not-delivered" : "refused-by-carrier", id])
            default:
                try await db.execute("UPDATE messages SET status_detail = ? WHERE id = ?", ["report-\(status)", id])
            }
            return true
        }
    }

    /// At start: a message left `sending` by a stop may or may not have
    /// reached the gateway. It is not sent again (a resident never gets one
    /// twice); its delivery report, or the lack of one, still tells.
    @discardableResult
    public func settleInterruptedSends(now: Date = Date()) async throws -> Int {
        try await database.write { db in
            try await db.execute("""
                UPDATE messages SET state = 'sent', sent_at = ?, status_detail = 'unconfirmed' WHERE state = 'sending'
                """, [now.millisecondsSince1970])
        }
    }

    /// Messages sent more than `delivery_report_hours` ago without a report
    /// ask an adviser to call. Returns how many were marked.
    @discardableResult
    public func markUnconfirmedMessages(now: Date = Date()) async throws -> Int {
        guard let messaging else { return 0 }
        let cutoff = now.addingTimeInterval(-Double(messaging.deliveryReportHours) * 3600).millisecondsSince1970
        return try await database.write { db in
            try await db.execute("""
                UPDATE messages SET call_due_at = ? WHERE state = 'sent' AND sent_at < ? AND call_due_at IS NULL
                """, [now.millisecondsSince1970, cutoff])
        }
    }
}

