import Foundation
import GRDB
import IntakeProtocol
import KioskDomain

extension KioskStore {
    /// Stores a validated request durably and gives it its receipt number.
    ///
    /// The daily sequence is allocated, the personal data sealed to the
    /// centre's public key with the plain columns (receipt number included)
    /// as associated data, and the row inserted in one transaction,
    /// committed with `synchronous=FULL` before this returns. Submitting the
    /// same request id again returns the first receipt and stores nothing
    /// new, so a retried submit never makes a second request.
    public func submit(_ request: ValidatedRequest, now: Date = Date()) throws(StoreError) -> Submission {
        var envelope = Optional(try takeEnvelope())
        defer { prepareNextEnvelope() }
        let personal: Data
        do {
            personal = try PersonalData(applicant: request.applicant, description: request.description,
                                        answers: request.answers, triageReasons: request.triage.reasons,
                                        scores: request.triage.scores).encoded()
        } catch {
            throw .sealing(error.description)
        }
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
            let receiptText = receipt.description
            let header = PlainHeader(
                submissionID: request.id, receiptNumber: receiptText, kioskCode: issuer.kioskCode,
                createdAtMilliseconds: now.millisecondsSince1970, language: request.language.rawValue,
                programme: request.programmeID, service: request.serviceID, hardship: level.rawValue,
                consentVersion: request.consent.version,
                consentedAtMilliseconds: request.consent.givenAt.millisecondsSince1970)
            let sealed: Data
            do { sealed = try envelope.take()!.seal(personal, header: header) } catch {
                throw StoreError.sealing("\(error)")
            }
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
                    id, receiptText, day, sequence, now.millisecondsSince1970, request.language.rawValue,
                    request.programmeID, request.serviceID, level.rawValue, level.priority,
                    request.consent.version, request.consent.givenAt.millisecondsSince1970, sealed,
                    now.millisecondsSince1970,
                ])
            return (receipt, now)
        }
        return Submission(request: request, receiptNumber: receipt, createdAt: createdAt)
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

    /// A stored request as the centre receives it: the plain columns and the
    /// envelope as sealed. Nothing is opened (the kiosk cannot).
    public func sealedSubmission(id: UUID) throws(StoreError) -> SealedSubmission? {
        guard let record = try record(id: id) else { return nil }
        return try sealedSubmission(record)
    }

    func sealedSubmission(_ record: SubmissionRecord) throws(StoreError) -> SealedSubmission {
        guard let sealed = record.sealedPersonal else {
            throw .sealing("personal data of receipt \(record.receiptNumber) was purged after the retention period")
        }
        guard sealed.first == PersonalEnvelope.format else {
            throw .legacySeal(record.receiptNumber)
        }
        return SealedSubmission(header: record.plainHeader, personal: sealed)
    }
}

extension SubmissionRecord {
    /// The plain columns the envelope is bound to.
    var plainHeader: PlainHeader {
        PlainHeader(submissionID: UUID(uuidString: id) ?? UUID(), receiptNumber: receiptNumber,
                    kioskCode: String(receiptNumber.prefix { $0 != "-" }), createdAtMilliseconds: createdAt,
                    language: language, programme: programmeId, service: serviceId, hardship: hardship,
                    consentVersion: consentVersion, consentedAtMilliseconds: consentedAt)
    }
}
