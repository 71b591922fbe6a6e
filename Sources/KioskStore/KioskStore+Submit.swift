import Foundation
import GRDB
import KioskDomain

extension KioskStore {
    /// Stores a validated request durably and gives it its receipt number.
    ///
    /// Sealing happens before the write lock is taken; the daily sequence is
    /// allocated, the row inserted and the audit entry written in one
    /// transaction, committed with `synchronous=FULL` before this returns.
    /// Submitting the same request id again returns the first receipt and
    /// stores nothing new, so a retried submit never makes a second request.
    public func submit(_ request: ValidatedRequest, now: Date = Date()) throws(StoreError) -> Submission {
        let personal = PersonalData(applicant: request.applicant, description: request.description,
                                    answers: request.answers, triageReasons: request.triage.reasons,
                                    scores: request.triage.scores)
        let sealed = try requireSealer().seal(try personal.encoded(), boundTo: request.id)
        let id = request.id.uuidString.lowercased()
        let day = issuer.day(of: now)
        let level = request.triage.level
        let issuer = self.issuer

        let (receipt, createdAt) = try write { db -> (ReceiptNumber, Date) in
            if let existing = try Row.fetchOne(db.cachedStatement(
                sql: "SELECT receipt_number, created_at FROM submissions WHERE id = ?"), arguments: [id]) {
                let number = try ReceiptNumber(parsing: existing["receipt_number"] as String)
                return (number, Date(millisecondsSince1970: existing["created_at"]))
            }
            let sequence = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COALESCE(MAX(receipt_sequence), 0) + 1 FROM submissions WHERE receipt_day = ?
                """), arguments: [day]) ?? 1
            let receipt = ReceiptNumber(kioskCode: issuer.kioskCode, day: day, sequence: sequence)
            // The row is its own record of submission; the audit trail starts
            // with what happens to it next (one fewer page to fsync here).
            // A cached statement with plain arguments: the submit path is
            // measured against a bare INSERT, and Codable record encoding
            // cost more than the fsync on a fast disk.
            try db.cachedStatement(sql: """
                INSERT INTO submissions (
                    id, receipt_number, receipt_day, receipt_sequence, created_at, language, programme_id,
                    service_id, hardship, priority, consent_version, consented_at, sealed_personal, state,
                    attempts, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?)
                """).execute(arguments: [
                    id, receipt.description, day, sequence, now.millisecondsSince1970, request.language.rawValue,
                    request.programmeID, request.serviceID, level.rawValue, level.priority,
                    request.consent.version, request.consent.givenAt.millisecondsSince1970, sealed,
                    now.millisecondsSince1970,
                ])
            return (receipt, now)
        }
        return Submission(request: request, receiptNumber: receipt, createdAt: createdAt)
    }

    /// A stored request with its personal data opened, or nil when unknown.
    /// Throws for a purged request: its personal data is gone by design.
    public func submission(id: UUID) throws(StoreError) -> Submission? {
        let key = id.uuidString.lowercased()
        guard let record = try read({ try SubmissionRecord.fetchOne($0, key: key) }) else { return nil }
        return try open(record)
    }

    public func record(id: UUID) throws(StoreError) -> SubmissionRecord? {
        try read { try SubmissionRecord.fetchOne($0, key: id.uuidString.lowercased()) }
    }

    public func record(receipt: ReceiptNumber) throws(StoreError) -> SubmissionRecord? {
        try read { db in
            try SubmissionRecord.fetchOne(db, sql: """
                SELECT * FROM submissions WHERE receipt_day = ? AND receipt_sequence = ? AND receipt_number = ?
                """, arguments: [receipt.day, receipt.sequence, receipt.description])
        }
    }

    /// Rebuilds the domain value from a row, opening its sealed part.
    func open(_ record: SubmissionRecord) throws(StoreError) -> Submission {
        guard let id = UUID(uuidString: record.id) else { throw .sealing("submission has a malformed id") }
        guard let sealed = record.sealedPersonal else {
            throw .sealing("personal data of receipt \(record.receiptNumber) was purged after the retention period")
        }
        let personal = try PersonalData(decoding: try requireSealer().open(sealed, boundTo: id))
        guard let language = Language(rawValue: record.language),
              let level = HardshipLevel(rawValue: record.hardship),
              let receipt = try? ReceiptNumber(parsing: record.receiptNumber)
        else { throw .sealing("submission row \(record.receiptNumber) holds values this version does not know") }
        let request = ValidatedRequest(
            id: id, language: language, programmeID: record.programmeId, serviceID: record.serviceId,
            answers: personal.answers,
            triage: Triage(level: level, reasons: personal.triageReasons, scores: personal.scores),
            applicant: personal.applicant, description: personal.description,
            consent: Consent(version: record.consentVersion, givenAt: Date(millisecondsSince1970: record.consentedAt)))
        return Submission(request: request, receiptNumber: receipt,
                          createdAt: Date(millisecondsSince1970: record.createdAt))
    }
}
