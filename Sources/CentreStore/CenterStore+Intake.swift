import CentreConfig
import Foundation
import IntakeProtocol
import KioskDomain
import StorageSupport

/// Intake: a request stored once, with its case and the case's first
/// timeline line, in the commit it shares with the requests that arrived
/// beside it.
extension CenterStore {
    public enum Outcome: Sendable, Equatable {
        case created(String)
        case duplicate(String)
        case conflict
        /// Another request from the same kiosk holds this receipt number
        /// (its reference): a kiosk whose database was restored from an old
        /// copy, or a tampered one. Never stored twice under one number.
        case receiptClash(String)
    }

    /// Stores a submission once and opens its case: the same id with the
    /// same request gives the same reference; the same id with another
    /// request is a conflict. Requests compare in their opened, canonical
    /// form, so one sent plain before a kiosk's upgrade and sealed after
    /// (each envelope is sealed afresh) is still the same request.
    /// Requests arriving together share one commit; each returns once the
    /// commit that holds it is durable.
    public func accept(_ submission: IntakeSubmission, source: String = "http",
                       now: Date = Date()) async throws -> Outcome {
        try await acceptAll([submission], source: source, now: now)[0].get()
    }

    /// `accept` for each of a kiosk's batch, in one commit: each in its own
    /// savepoint, so one that fails leaves the others stored. The outcomes
    /// are in the order given.
    public func acceptAll(_ submissions: [IntakeSubmission], source: String = "http",
                          now: Date = Date()) async throws -> [Result<Outcome, any Error>] {
        // Nothing to store opens no transaction (a batch whose every request was refused).
        if submissions.isEmpty { return [] }
        // Encoding and sealing happen here, on the caller's task, not on the writer's queue.
        let prepared = submissions.map { submission in
            Result { try PreparedSubmission(submission, sealer: sealer, reasons: try sealReasons(submission)) }
        }
        return try await intakeCommits.perform { db in
            var outcomes: [Result<Outcome, any Error>] = []
            for item in prepared {
                do {
                    outcomes.append(.success(try await self.storeOnce(try item.get(), source: source, now: now, in: db)))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            return outcomes
        }
    }

    /// Another centre process may store the same request at the same
    /// moment: the loser's insert meets the winner's row, is undone, and the
    /// next try finds it held.
    private func storeOnce(_ item: PreparedSubmission, source: String, now: Date,
                           in db: any SQLConnection) async throws -> Outcome {
        var attempt = 0
        while true {
            do {
                return try await db.inSavepoint { try await self.store(item, source: source, now: now, in: db) }
            } catch is SQLUniqueConflict where attempt < 3 {
                attempt += 1
            }
        }
    }

    /// A submission ready to store: its canonical body's digest, sealed body and reasons.
    struct PreparedSubmission: Sendable {
        var submission: IntakeSubmission
        var id: String
        var digest: String
        var sealed: Data
        var reasons: Data

        init(_ submission: IntakeSubmission, sealer: Sealer, reasons: Data) throws {
            let body = try submission.encoded()
            self.submission = submission
            id = submission.submissionId.uuidString.lowercased()
            digest = RequestSigner.bodyDigest(body)
            sealed = try sealer.seal(body, boundTo: submission.submissionId)
            self.reasons = reasons
        }

        var level: HardshipLevel { HardshipLevel(rawValue: submission.hardship.level) ?? .green }
    }

    private func store(_ item: PreparedSubmission, source: String, now: Date, in db: any SQLConnection) async throws -> Outcome {
        let submission = item.submission
        // One look for both: the same id (a resend), or the same receipt number (a clash).
        let held = try await db.fetchAll("""
            SELECT reference, body_digest, id FROM submissions WHERE id = ? OR (kiosk_code = ? AND receipt_number = ?)
            """, [item.id, submission.kioskCode, submission.receiptNumber])
        if let same = held.first(where: { ($0["id"] as String) == item.id }) {
            return (same["body_digest"] as String) == item.digest ? .duplicate(same["reference"]) : .conflict
        }
        if let holder = held.first {
            return .receiptClash(holder["reference"])
        }
        let rows = IntakeRows(item, source: source, receivedAt: now, due: deadlines.due(
            level: item.level, from: now, timeZone: timeZone), phoneKey: messageKeys.phoneKey(submission.applicant.phone),
            messageAfter: messaging.map { now.addingTimeInterval(Double($0.coalesceSeconds)) })
        switch db.dialect {
        case .postgres:
            let queued: Int64 = rows.message == nil ? 0 : 1
            // The three rows (and a message) in one statement, one round trip instead of four;
            // its constraints are checked at the statement's end.
            let reference: String? = try await db.fetchValue("""
                WITH n AS (SELECT nextval('submissions_seq') AS seq),
                s AS (
                    INSERT INTO submissions (\(IntakeRows.submissionColumns))
                    SELECT n.seq, ?, 'C' || CASE WHEN length(n.seq::text) >= 8 THEN n.seq::text ELSE lpad(n.seq::text, 8, '0') END,
                        \(IntakeRows.submissionValues) FROM n
                    RETURNING seq, reference),
                c AS (INSERT INTO cases (\(IntakeRows.caseColumns)) SELECT s.seq, \(IntakeRows.caseValues) FROM s),
                e AS (INSERT INTO case_events (\(IntakeRows.eventColumns)) SELECT s.seq, \(IntakeRows.eventValues) FROM s),
                m AS (INSERT INTO messages (\(IntakeRows.messageColumns))
                      SELECT s.seq, \(IntakeRows.messageValues) FROM s WHERE ? = 1)
                SELECT reference FROM s
                """, [item.id] + rows.submission + rows.case + rows.event
                    + (rows.message ?? ["", 0 as Int64, 0 as Int64]) + [queued])
            guard let reference else { throw CenterError(description: "the database stored no request") }
            return .created(reference)
        case .sqlite:
            let seq: Int64 = try await db.fetchValue(db.dialect.nextSubmissionNumber) ?? 1
            let reference = "C" + String(seq).leftPadded(to: 8)
            try await db.execute("""
                INSERT INTO submissions (\(IntakeRows.submissionColumns)) VALUES (?, ?, ?, \(IntakeRows.submissionValues))
                """, [seq, item.id, reference] + rows.submission)
            try await rows.openCase(seq: seq, in: db)
            return .created(reference)
        }
    }

    func sealReasons(_ submission: IntakeSubmission) throws -> Data {
        try sealer.seal(Data(submission.hardship.reasons.joined(separator: "\n").utf8), boundTo: submission.submissionId)
    }

    /// Requests received before cases existed (a database from an earlier
    /// version) get their case at start-up; the street and reasons come from
    /// the sealed body, so this runs here rather than in a migration.
    func openCasesForEarlierRequests() async throws {
        // Every request since has its case from the intake transaction, and
        // this runs as one transaction: equal counts mean nothing is missing,
        // and start-up reads two indexes instead of joining the tables.
        let complete = try await database.read { db in
            try await db.fetchValue("SELECT (SELECT COUNT(*) FROM submissions) = (SELECT COUNT(*) FROM cases)") ?? false
        }
        if complete { return }
        try await database.write { db in
            let rows = try await db.fetchAll("""
                SELECT s.seq, s.id, s.sealed_body, s.received_at FROM submissions s
                WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.seq = s.seq)
                """)
            for row in rows {
                guard let id = UUID(uuidString: row["id"]) else { continue }
                let submission = try IntakeSubmission.decode(try self.sealer.open(row["sealed_body"], boundTo: id))
                let receivedAt = Date(milliseconds: row["received_at"])
                let level = HardshipLevel(rawValue: submission.hardship.level) ?? .green
                let rows = IntakeRows(submission, level: level, sealedReasons: try self.sealReasons(submission),
                                      receivedAt: receivedAt,
                                      due: self.deadlines.due(level: level, from: receivedAt, timeZone: self.timeZone),
                                      phoneKey: self.messageKeys.phoneKey(submission.applicant.phone))
                try await rows.openCase(seq: row["seq"], in: db)
            }
        }
    }
}
