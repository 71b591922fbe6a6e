import Foundation
import GRDB
import IntakeProtocol
import StorageSupport

extension KioskStore {
    /// How many stored requests are still sealed with the kiosk's own
    /// symmetric key (versions before sealing to the centre's key).
    public func legacySealedCount() throws(StoreError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM submissions WHERE sealed_personal IS NOT NULL AND substr(sealed_personal, 1, 1) = x'01'
                """) ?? 0
        }
    }

    /// Upgrades requests sealed the old way: each is opened once with the
    /// old seal key and sealed to the centre's public key, all in one
    /// transaction, so either every row moves or none does. After it, the
    /// old key opens nothing here and can be destroyed. Returns how many moved.
    @discardableResult
    public func resealLegacy(legacyKey: [UInt8], to centreKey: CentrePublicKey, now: Date = Date()) throws(StoreError) -> Int {
        let legacy = Sealer(keyBytes: legacyKey)
        return try write { db in
            let records = try SubmissionRecord.fetchAll(db, sql: """
                SELECT * FROM submissions WHERE sealed_personal IS NOT NULL AND substr(sealed_personal, 1, 1) = x'01'
                """)
            for record in records {
                guard let id = UUID(uuidString: record.id), let old = record.sealedPersonal else { continue }
                let plaintext: Data
                do { plaintext = try legacy.open(old, boundTo: id) } catch { throw StoreError.sealing("\(error)") }
                let sealed: Data
                do { sealed = try PersonalEnvelope.seal(plaintext, to: centreKey, header: record.plainHeader) } catch {
                    throw StoreError.sealing("\(error)")
                }
                try db.execute(sql: "UPDATE submissions SET sealed_personal = ? WHERE id = ?", arguments: [sealed, record.id])
            }
            if !records.isEmpty {
                try Self.audit(db, at: now, actor: .kioskctl, event: "resealed", submissionID: nil,
                               detail: "\(records.count) request(s) sealed to the centre's public key")
            }
            return records.count
        }
    }
}
