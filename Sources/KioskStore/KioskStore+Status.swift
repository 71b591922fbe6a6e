import Foundation
import GRDB

extension KioskStore {
    /// Records a role's heartbeat and one-line state.
    public func updateStatus(_ status: RoleStatusRecord) throws(StoreError) {
        try write { db in try status.upsert(db) }
    }

    public func statuses() throws(StoreError) -> [RoleStatusRecord] {
        try read { try RoleStatusRecord.fetchAll($0) }
    }

    /// The audit trail of one request, oldest first.
    public func auditTrail(submissionID: String) throws(StoreError) -> [AuditRecord] {
        try read { db in
            try AuditRecord.filter(Column("submission_id") == submissionID).order(Column("id")).fetchAll(db)
        }
    }
}

extension KioskStore {
    /// When the last request reached the centre, if any did.
    public func lastForwardedAt() throws(StoreError) -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(forwarded_at) FROM submissions")
                .map(Date.init(millisecondsSince1970:))
        }
    }

    /// How many print jobs are in each state (for metrics).
    public func printJobCounts() throws(StoreError) -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM print_jobs GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }
}

extension KioskStore {
    /// Runs `quick_check` on a reader connection beside the caller, after a
    /// daemon has said READY=1 (on 100,000 requests the check takes longer
    /// than the whole start-up may). The result is recorded as the
    /// `database` role's state for `kioskctl status`; `onDamage` hears of a
    /// damaged file. `kioskd migrate` runs the full check before the roles.
    public func verifyInBackground(onDamage: @escaping @Sendable (String) -> Void) {
        let thread = Thread { [self] in
            let problems: [String]
            do {
                problems = try read { try String.fetchAll($0, sql: "PRAGMA quick_check(5)") }
            } catch {
                problems = ["\(error)"]
            }
            let damaged = problems != ["ok"]
            let detail = damaged ? problems.prefix(3).joined(separator: "; ") : nil
            try? updateStatus(RoleStatusRecord(role: "database", updatedAt: Date(), state: damaged ? "damaged" : "ok",
                                               detail: detail))
            // The check filled a reader's page cache; an idle kiosk should not keep it.
            pool.releaseMemory()
            if let detail { onDamage(detail) }
        }
        thread.name = "database-check"
        thread.start()
    }
}
