import Foundation
import GRDB

extension KioskStore {
    /// Erases the personal data of requests the centre acknowledged more
    /// than `days` ago, and of requests set aside as dead (the centre refused
    /// them) more than `days` ago: nothing is kept forever. The receipt
    /// number, state and audit trail stay, so a resident's receipt can still
    /// be looked up; the name, phone, ID number, address and answers cannot.
    ///
    /// `secure_delete` zeroes the freed bytes, and a truncating checkpoint
    /// clears the old pages out of the WAL too.
    @discardableResult
    public func purgePersonalData(acknowledgedMoreThan days: Int, now: Date = Date()) throws(StoreError) -> Int {
        let cutoff = now.millisecondsSince1970 - Int64(days) * 86_400_000
        let purged = try write { db in
            let forwarded = try String.fetchAll(db, sql: """
                UPDATE submissions SET sealed_personal = NULL, purged_at = ?
                WHERE state = 'forwarded' AND purged_at IS NULL AND forwarded_at <= ?
                RETURNING id
                """, arguments: [now.millisecondsSince1970, cutoff])
            let dead = try String.fetchAll(db, sql: """
                UPDATE submissions SET sealed_personal = NULL, purged_at = ?
                WHERE state = 'dead' AND purged_at IS NULL AND dead_at <= ?
                RETURNING id
                """, arguments: [now.millisecondsSince1970, cutoff])
            for id in forwarded {
                try Self.audit(db, at: now, actor: .store, event: "purged", submissionID: id,
                               detail: "personal data erased \(days) days after the centre's acknowledgement")
            }
            for id in dead {
                try Self.audit(db, at: now, actor: .store, event: "purged", submissionID: id,
                               detail: "personal data erased \(days) days after the centre refused it")
            }
            return forwarded.count + dead.count
        }
        if purged > 0 {
            do {
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            } catch {
                throw .database(error)
            }
        }
        return purged
    }
}
