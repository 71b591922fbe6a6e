import CentreMessages
import Foundation
import KioskDomain

/// Residents' replies (Kannel's MO path), a case's messages for its page,
/// and the calls an adviser owes where a message did not get through.
extension CenterStore {
    /// A reply from `phone`: kept (sealed) on the latest case that texted
    /// that number; "1" or "2" answers the follow-up question. False when no
    /// case texted it (the reply is dropped, nothing of it kept).
    @discardableResult
    public func recordReply(from phone: String, text: String, now: Date = Date()) async throws -> Bool {
        let key = messageKeys.phoneKey(Self.nationalNumber(phone))
        let trimmed = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        let answer: String? = switch trimmed { case "1": "yes"; case "2": "no"; default: nil }
        return try await database.write { db in
            guard let row = try await db.fetchOne("""
                SELECT c.seq, c.state, s.id, (SELECT MAX(m.id) FROM messages m WHERE m.seq = c.seq AND m.kind = 'follow_up'
                                                AND m.state IN ('sent', 'delivered')) AS follow_up
                FROM cases c JOIN submissions s ON s.seq = c.seq
                WHERE c.phone_key = ? AND EXISTS (SELECT 1 FROM messages m WHERE m.seq = c.seq AND m.state IN ('sent', 'delivered'))
                ORDER BY c.seq DESC LIMIT 1
                """, [key]) else { return false }
            let seq: Int64 = row["seq"], at = now.millisecondsSince1970
            let sealed = try self.sealer.seal(Data(trimmed.utf8), boundTo: UUID(uuidString: row["id"])!)
            let followUp: Int64? = row["follow_up"]
            try await db.execute("""
                INSERT INTO message_replies (seq, message_id, received_at, sealed_text, answer) VALUES (?, ?, ?, ?, ?)
                """, [seq, followUp, at, sealed, followUp == nil ? nil : answer])
            try await Self.caseLine(db, seq: seq, state: row["state"], action: "reply", actor: "resident",
                                    detail: (followUp == nil ? nil : answer) ?? "text", note: sealed, at: at)
            return true
        }
    }

    /// "+86 139…", "0086139…", "139…" → "139…", as the kiosk keeps it.
    static func nationalNumber(_ phone: String) -> String {
        var digits = phone.filter(\.isNumber)
        if digits.hasPrefix("0086") { digits.removeFirst(4) } else if digits.hasPrefix("86"), digits.count == 13 { digits.removeFirst(2) }
        return digits
    }

    func messages(_ db: any SQLConnection, seq: Int64) async throws -> [MessageRecord] {
        try await db.fetchAll("SELECT * FROM messages WHERE seq = ? ORDER BY id", [seq]).map { row in
            MessageRecord(id: row["id"], kind: MessageKind(rawValue: row["kind"]) ?? .freeText, detail: row["detail"],
                          state: MessageState(rawValue: row["state"]) ?? .queued,
                          createdAt: Date(milliseconds: row["created_at"]), sendAfter: Date(milliseconds: row["send_after"]),
                          sentAt: (row["sent_at"] as Int64?).map(Date.init(milliseconds:)),
                          deliveredAt: (row["delivered_at"] as Int64?).map(Date.init(milliseconds:)),
                          failedAt: (row["failed_at"] as Int64?).map(Date.init(milliseconds:)),
                          statusDetail: row["status_detail"], attempts: Int(row["attempts"] as Int64))
        }
    }

    func replies(_ db: any SQLConnection, seq: Int64, submission uuid: UUID) async throws -> [MessageReply] {
        try await db.fetchAll("SELECT * FROM message_replies WHERE seq = ? ORDER BY id", [seq]).map { row in
            MessageReply(receivedAt: Date(milliseconds: row["received_at"]),
                         text: try (row["sealed_text"] as Data?).map { String(decoding: try self.sealer.open($0, boundTo: uuid), as: UTF8.self) },
                         answer: (row["answer"] as String?).map { $0 == "yes" })
        }
    }

    /// Open cases whose resident a message did not reach (failed, or no
    /// report in time), until a contact is recorded after it: the inbox's calls.
    func callsDue(_ db: any SQLConnection, scope: StreetScope, now: Date, limit: Int) async throws -> [FollowUp] {
        try await db.fetchAll("""
            SELECT s.reference, c.priority, m.id, m.kind, m.call_due_at FROM messages m
            JOIN cases c ON c.seq = m.seq JOIN submissions s ON s.seq = m.seq
            WHERE \(scope.clause("m.call_due_at IS NOT NULL", "m.call_due_at <= ?", "m.state != 'delivered'",
                                 "c.state != 'closed'", """
                                 NOT EXISTS (SELECT 1 FROM case_events e WHERE e.seq = c.seq AND e.action = 'contact'
                                             AND e.at >= m.call_due_at)
                                 """))
            ORDER BY m.call_due_at LIMIT ?
            """, scope.arguments([now.millisecondsSince1970]) + [limit]).map { row in
            FollowUp(caseReference: row["reference"], level: HardshipLevel(priority: row["priority"]),
                     what: .callResident(messageID: row["id"], kind: MessageKind(rawValue: row["kind"]) ?? .freeText),
                     dueAt: Date(milliseconds: row["call_due_at"]))
        }
    }
}
