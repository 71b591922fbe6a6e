import Foundation
import GRDB

extension KioskStore {
    /// Queues printed copies of a receipt (or a test page when
    /// `submissionID` is nil) for the printer worker.
    @discardableResult
    public func enqueuePrintJobs(submissionID: UUID?, copies: [String], printer: String,
                                 now: Date = Date()) throws(StoreError) -> [Int64] {
        let submission = submissionID?.uuidString.lowercased()
        return try write { db in
            try copies.map { copy in
                let record = PrintJobRecord(id: nil, submissionId: submission, copy: copy, state: .pending,
                                            printer: printer, cupsJobId: nil, reason: nil,
                                            createdAt: now.millisecondsSince1970, updatedAt: now.millisecondsSince1970)
                return try record.insertAndFetch(db).id!
            }
        }
    }

    /// Takes the pending jobs, oldest first, for one worker: pending → submitted.
    public func claimPendingPrintJobs(now: Date = Date()) throws(StoreError) -> [PrintJobRecord] {
        try write { db in
            try PrintJobRecord.fetchAll(db, sql: """
                UPDATE print_jobs SET state = 'submitted', updated_at = ?
                WHERE state = 'pending'
                RETURNING *
                """, arguments: [now.millisecondsSince1970])
                .sorted { $0.createdAt < $1.createdAt }
        }
    }

    /// Puts a claimed job back to wait (CUPS could not take it this time).
    public func releasePrintJob(_ id: Int64, reason: String, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                UPDATE print_jobs SET state = 'pending', reason = ?, updated_at = ?
                WHERE id = ? AND state = 'submitted' AND cups_job_id IS NULL
                """, arguments: [reason, now.millisecondsSince1970, id])
        }
    }

    /// CUPS accepted the document as job `cupsJobID`.
    public func recordCupsJob(_ id: Int64, cupsJobID: Int32, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                UPDATE print_jobs SET cups_job_id = ?, reason = NULL, updated_at = ? WHERE id = ?
                """, arguments: [cupsJobID, now.millisecondsSince1970, id])
        }
    }

    /// The job's end: completed, aborted, canceled or failed, with why.
    public func finishPrintJob(_ id: Int64, state: PrintJobState, reason: String?,
                               now: Date = Date()) throws(StoreError) {
        precondition(state.isFinished)
        try write { db in
            try db.execute(sql: """
                UPDATE print_jobs SET state = ?, reason = ?, updated_at = ?
                WHERE id = ? AND state IN ('pending', 'submitted')
                """, arguments: [state.rawValue, reason, now.millisecondsSince1970, id])
            if state != .completed, db.changesCount == 1,
               let submission = try String.fetchOne(db, sql: "SELECT submission_id FROM print_jobs WHERE id = ?",
                                                    arguments: [id]) {
                try Self.audit(db, at: now, actor: .front, event: "print-\(state.rawValue)", submissionID: submission,
                               detail: reason)
            }
        }
    }

    /// Jobs handed to CUPS and not yet finished.
    public func openPrintJobs() throws(StoreError) -> [PrintJobRecord] {
        try read { db in
            try PrintJobRecord.filter(Column("state") == PrintJobState.submitted.rawValue).order(Column("id")).fetchAll(db)
        }
    }

    public func printJob(id: Int64) throws(StoreError) -> PrintJobRecord? {
        try read { try PrintJobRecord.fetchOne($0, key: id) }
    }

    /// The copies of one receipt, oldest first (the receipt screen shows the resident's).
    public func printJobs(submissionID: UUID) throws(StoreError) -> [PrintJobRecord] {
        try read { db in
            try PrintJobRecord.filter(Column("submission_id") == submissionID.uuidString.lowercased())
                .order(Column("id")).fetchAll(db)
        }
    }
}
