import Foundation

/// One line of the access log: who did what to which case, never the data.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var at: Date
    public var actor: String
    public var action: String
    public var caseReference: String?
    public var detail: String?
}

extension CenterStore {
    /// Appends to the access log inside the caller's transaction, so the log
    /// holds a line exactly when the thing it records happened.
    package static func audit(_ db: any SQLConnection, actor: String, action: String, case reference: String? = nil,
                      detail: String? = nil, at: Date) async throws {
        try await db.execute("INSERT INTO audit_log (at, actor, action, case_reference, detail) VALUES (?, ?, ?, ?, ?)",
                       [at.millisecondsSince1970, actor, action, reference, detail])
    }

    /// Records something done outside a case change (an export, a report).
    public func audit(actor: String, action: String, case reference: String? = nil, detail: String? = nil,
                      now: Date = Date()) async throws {
        try await database.write { db in try await Self.audit(db, actor: actor, action: action, case: reference, detail: detail, at: now) }
    }

    /// The access log from `since` on, newest first, at most `limit` lines.
    /// With `street` (a street's auditor), only the lines about its cases
    /// and, of the lines about no case, those of its own staff.
    public func auditEntries(since: Date? = nil, limit: Int = 10_000, street: String? = nil) async throws -> [AuditEntry] {
        let scoped = street == nil ? "" : """
             AND (a.case_reference IN (SELECT s.reference FROM submissions s JOIN cases c ON c.seq = s.seq
                                       WHERE c.kiosk_street = ?)
                  OR (a.case_reference IS NULL AND a.actor IN (SELECT username FROM staff WHERE street = ?)))
            """
        return try await database.read { db in
            try await db.fetchAll("""
                SELECT a.at, a.actor, a.action, a.case_reference, a.detail FROM audit_log a
                WHERE a.at >= ?\(scoped) ORDER BY a.id DESC LIMIT ?
                """, [since?.millisecondsSince1970 ?? 0] + (street.map { [$0, $0] } ?? []) + [limit]).map { row in
                AuditEntry(at: Date(milliseconds: row["at"]), actor: row["actor"], action: row["action"],
                           caseReference: row["case_reference"], detail: row["detail"])
            }
        }
    }
}
