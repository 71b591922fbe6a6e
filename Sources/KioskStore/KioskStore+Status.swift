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
