import Foundation
import GRDB

extension CenterStore {
    /// Erases the personal data of cases closed before `cutoff`: the sealed
    /// request, the triage reasons and the closing notes. The case row with
    /// its level, programme, service, street, times and outcome stays, so
    /// reports still count it; the access log keeps one line per run.
    /// Returns how many cases were erased.
    @discardableResult
    public func eraseClosedCases(closedBefore cutoff: Date, actor: String, now: Date = Date()) throws -> Int {
        let erased = try pool.write { db -> Int in
            let selection = "SELECT seq FROM cases WHERE state = 'closed' AND erased_at IS NULL AND closed_at < ?"
            let arguments: StatementArguments = [cutoff.millisecondsSince1970]
            try db.execute(sql: "UPDATE submissions SET sealed_body = X'' WHERE seq IN (\(selection))", arguments: arguments)
            try db.execute(sql: "UPDATE case_events SET sealed_note = NULL WHERE seq IN (\(selection))", arguments: arguments)
            try db.execute(sql: """
                UPDATE cases SET sealed_reasons = NULL, erased_at = ? WHERE seq IN (\(selection))
                """, arguments: [now.millisecondsSince1970] + arguments)
            let count = db.changesCount
            if count > 0 {
                try Self.audit(db, actor: actor, action: "erase", detail: "\(count) closed cases past retention", at: now)
            }
            return count
        }
        if erased > 0 {
            // Out of the write-ahead log too, not only the main file.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        return erased
    }
}
