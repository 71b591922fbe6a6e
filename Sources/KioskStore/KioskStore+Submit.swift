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
        let plaintext: Data
        do { plaintext = try JSONEncoder().encode(personal) } catch { throw .sealing("cannot encode personal data") }
        let sealed = try sealer.seal(plaintext, boundTo: request.id)
        let id = request.id.uuidString.lowercased()
        let day = issuer.day(of: now)
        let level = request.triage.level
        let issuer = self.issuer

        let (receipt, createdAt) = try write { db -> (ReceiptNumber, Date) in
            if let existing = try Row.fetchOne(
                db, sql: "SELECT receipt_number, created_at FROM submissions WHERE id = ?", arguments: [id]) {
                let number = try ReceiptNumber(parsing: existing["receipt_number"] as String)
                return (number, Date(millisecondsSince1970: existing["created_at"]))
            }
            let sequence = try Int.fetchOne(db, sql: """
                SELECT COALESCE(MAX(receipt_sequence), 0) + 1 FROM submissions WHERE receipt_day = ?
                """, arguments: [day]) ?? 1
            let receipt = ReceiptNumber(kioskCode: issuer.kioskCode, day: day, sequence: sequence)
            let record = SubmissionRecord(
                id: id, receiptNumber: receipt.description, receiptDay: day, receiptSequence: sequence,
                createdAt: now.millisecondsSince1970, language: request.language.rawValue,
                programmeId: request.programmeID, serviceId: request.serviceID, hardship: level.rawValue,
                priority: level.priority, consentVersion: request.consent.version,
                consentedAt: request.consent.givenAt.millisecondsSince1970, sealedPersonal: sealed, state: .queued,
                attempts: 0, nextAttemptAt: now.millisecondsSince1970, leaseUntil: nil, centreReference: nil,
                forwardedAt: nil, deadReason: nil, lastError: nil, purgedAt: nil)
            try record.insert(db)
            try Self.audit(db, at: now, actor: .front, event: "submitted", submissionID: id,
                           detail: "receipt \(receipt) hardship \(level.rawValue)")
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
        try read {
            try SubmissionRecord.filter(SubmissionRecord.Columns.receiptNumber == receipt.description).fetchOne($0)
        }
    }

    /// Rebuilds the domain value from a row, opening its sealed part.
    func open(_ record: SubmissionRecord) throws(StoreError) -> Submission {
        guard let id = UUID(uuidString: record.id) else { throw .sealing("submission has a malformed id") }
        guard let sealed = record.sealedPersonal else {
            throw .sealing("personal data of receipt \(record.receiptNumber) was purged after the retention period")
        }
        let personal: PersonalData
        do {
            personal = try JSONDecoder().decode(PersonalData.self, from: try sealer.open(sealed, boundTo: id))
        } catch let error as StoreError {
            throw error
        } catch {
            throw .sealing("sealed data of receipt \(record.receiptNumber) is not readable")
        }
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
