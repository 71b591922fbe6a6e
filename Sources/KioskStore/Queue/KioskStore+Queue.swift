import Foundation
import GRDB
import IntakeProtocol
import KioskDomain

/// A request the forwarder has leased: it alone may send it until the lease
/// ends, then it returns to the queue.
public struct Claim: Sendable {
    public var record: SubmissionRecord
    /// What goes to the centre: the plain columns and the sealed envelope.
    public var sealed: SealedSubmission
}

extension KioskStore {
    /// Leases up to `limit` requests that are due, red first, then oldest.
    ///
    /// One `UPDATE … RETURNING` moves them from queued to sending, so two
    /// forwarders could never claim the same row. A row still sealed the old
    /// way waits an hour for `kioskctl credentials reseal` (its reason says
    /// so); any other row that cannot be sent is set aside as dead with the
    /// reason instead of blocking the rest.
    public func claim(limit: Int, leaseFor lease: Duration, now: Date = Date()) throws(StoreError) -> [Claim] {
        let nowMS = now.millisecondsSince1970
        let leaseUntil = nowMS + lease.milliseconds
        let records = try write { db -> [SubmissionRecord] in
            let rows = try SubmissionRecord.fetchAll(db, sql: """
                UPDATE submissions
                SET state = 'sending', lease_until = ?, attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM submissions
                    WHERE state = 'queued' AND next_attempt_at <= ?
                    ORDER BY priority, created_at
                    LIMIT ?)
                RETURNING *
                """, arguments: [leaseUntil, nowMS, limit])
            // RETURNING gives no order; restore the claim order.
            return rows.sorted { ($0.priority, $0.createdAt) < ($1.priority, $1.createdAt) }
        }
        var claims: [Claim] = []
        for record in records {
            do {
                claims.append(Claim(record: record, sealed: try sealedSubmission(record)))
            } catch where error.isLegacySeal {
                try reschedule(record.id, error: error.message, retryAt: now.addingTimeInterval(3600), now: now)
            } catch {
                try markDead(record.id, reason: error.message, actor: .forwarder, now: now)
            }
        }
        return claims
    }

    /// The centre acknowledged the request: forwarded, with its reference.
    /// Only a row this forwarder still leases moves; returns whether it did.
    @discardableResult
    public func markForwarded(_ id: String, reference: String, now: Date = Date()) throws(StoreError) -> Bool {
        try record([(id, .forwarded(reference: reference))], now: now)[0]
    }

    /// Sending failed in a way that may pass (5xx, timeout, connection):
    /// back to the queue, not before `retryAt`.
    @discardableResult
    public func reschedule(_ id: String, error: String, retryAt: Date, now: Date = Date()) throws(StoreError) -> Bool {
        try record([(id, .retry(error: error, at: retryAt))], now: now)[0]
    }

    /// The centre will never accept this request as it is (409, other 4xx,
    /// unreadable seal): set aside with its reason; the others go on.
    @discardableResult
    public func markDead(_ id: String, reason: String, actor: Actor = .forwarder,
                         now: Date = Date()) throws(StoreError) -> Bool {
        try write { db in try Self.setAside(id, reason: reason, actor: actor, now: now, in: db) }
    }

    /// Many answers in one transaction (one fsync): the forwarder records
    /// the answers that came in while its last commit ran. Returns, for each,
    /// whether its row moved (a row no longer leased stays as it is).
    @discardableResult
    public func record(_ answers: [(id: String, answer: QueueAnswer)], now: Date = Date()) throws(StoreError) -> [Bool] {
        guard !answers.isEmpty else { return [] }
        return try write { db in
            try answers.map { id, answer in
                switch answer {
                case let .forwarded(reference):
                    try db.cachedStatement(sql: """
                        UPDATE submissions
                        SET state = 'forwarded', lease_until = NULL, centre_reference = ?, forwarded_at = ?, last_error = NULL
                        WHERE id = ? AND state = 'sending'
                        """).execute(arguments: [reference, now.millisecondsSince1970, id])
                    guard db.changesCount == 1 else { return false }
                    try Self.audit(db, at: now, actor: .forwarder, event: "forwarded", submissionID: id,
                                   detail: "centre reference \(reference)")
                    return true
                case let .dead(reason):
                    return try Self.setAside(id, reason: reason, actor: .forwarder, now: now, in: db)
                case let .retry(error, retryAt):
                    // Often the centre's own words: kept fit for the technician's terminal.
                    let error = error.sanitizedForDisplay()
                    try db.cachedStatement(sql: """
                        UPDATE submissions
                        SET state = 'queued', lease_until = NULL, next_attempt_at = ?, last_error = ?
                        WHERE id = ? AND state = 'sending'
                        """).execute(arguments: [retryAt.millisecondsSince1970, error, id])
                    guard db.changesCount == 1 else { return false }
                    try Self.audit(db, at: now, actor: .forwarder, event: "rescheduled", submissionID: id, detail: error)
                    return true
                }
            }
        }
    }

    static func setAside(_ id: String, reason: String, actor: Actor, now: Date, in db: Database) throws -> Bool {
        let reason = reason.sanitizedForDisplay()
        try db.cachedStatement(sql: """
            UPDATE submissions
            SET state = 'dead', lease_until = NULL, dead_reason = ?, dead_at = ?, last_error = ?
            WHERE id = ? AND state IN ('queued', 'sending')
            """).execute(arguments: [reason, now.millisecondsSince1970, reason, id])
        guard db.changesCount == 1 else { return false }
        try audit(db, at: now, actor: actor, event: "dead", submissionID: id, detail: reason)
        return true
    }

    /// Claimed requests the forwarder did not send after all (it stopped, or
    /// the centre went away mid-batch): back to the queue as they were, the
    /// claim's attempt not counted.
    @discardableResult
    public func returnClaims(_ ids: [String]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try write { db in
            var returned = 0
            for id in ids {
                try db.cachedStatement(sql: """
                    UPDATE submissions SET state = 'queued', lease_until = NULL, attempts = MAX(0, attempts - 1)
                    WHERE id = ? AND state = 'sending'
                    """).execute(arguments: [id])
                returned += db.changesCount
            }
            return returned
        }
    }

    /// When the earliest queued request falls due (a retry's time), or nil
    /// when nothing is queued: the idle forwarder sleeps until then.
    public func nextAttemptDue() throws(StoreError) -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM submissions WHERE state = 'queued'")
                .map(Date.init(millisecondsSince1970:))
        }
    }

    /// A technician sends a dead request again (`kioskctl queue retry`).
    @discardableResult
    public func retryDead(_ id: String, now: Date = Date()) throws(StoreError) -> Bool {
        try write { db in
            try db.execute(sql: """
                UPDATE submissions
                SET state = 'queued', dead_reason = NULL, dead_at = NULL, next_attempt_at = ?
                WHERE id = ? AND state = 'dead' AND purged_at IS NULL
                """, arguments: [now.millisecondsSince1970, id])
            guard db.changesCount == 1 else { return false }
            try Self.audit(db, at: now, actor: .kioskctl, event: "retried", submissionID: id)
            return true
        }
    }

    /// Returns leases a crashed forwarder left behind to the queue, due at once.
    /// With `all`, every lease goes (the forwarder's own start-up: no other
    /// forwarder runs); otherwise only those that ran out before `now`.
    @discardableResult
    public func releaseLeases(all: Bool = false, now: Date = Date()) throws(StoreError) -> Int {
        let nowMS = now.millisecondsSince1970
        return try write { db in
            let ids = try String.fetchAll(db, sql: """
                UPDATE submissions
                SET state = 'queued', lease_until = NULL, next_attempt_at = ?
                WHERE state = 'sending' AND (? OR lease_until <= ?)
                RETURNING id
                """, arguments: [nowMS, all, nowMS])
            for id in ids {
                try Self.audit(db, at: now, actor: .store, event: "lease-released", submissionID: id)
            }
            return ids.count
        }
    }

    /// How many requests are in each state, and when the oldest pending one
    /// was made: for status, metrics and the heartbeat. Four rows the
    /// triggers keep and one index probe, however many requests are held.
    public func queueSummary() throws(StoreError) -> QueueSummary {
        try read { db in
            var counts: [QueueState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, n FROM queue_counts WHERE n > 0") {
                if let state = QueueState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            let oldest = try Row.fetchOne(db, sql: """
                SELECT MIN(created_at) AS oldest, MIN(CASE WHEN hardship = 'red' THEN created_at END) AS red
                FROM submissions WHERE state IN ('queued', 'sending')
                """)
            return QueueSummary(counts: counts,
                                oldestPending: (oldest?["oldest"] as Int64?).map(Date.init(millisecondsSince1970:)),
                                oldestRedPending: (oldest?["red"] as Int64?).map(Date.init(millisecondsSince1970:)))
        }
    }

    /// Rows in a state, red first then oldest, without opening sealed data.
    /// Requests in every state, newest first, made at or after `since`.
    public func recentRecords(since: Date?, limit: Int = 100) throws(StoreError) -> [SubmissionRecord] {
        try read { db in
            var request = SubmissionRecord.all()
            if let since { request = request.filter(SubmissionRecord.Columns.createdAt >= since.millisecondsSince1970) }
            return try request.order(SubmissionRecord.Columns.createdAt.desc).limit(limit).fetchAll(db)
        }
    }

    public func records(in state: QueueState, limit: Int = 100) throws(StoreError) -> [SubmissionRecord] {
        try read { db in
            try SubmissionRecord
                .filter(SubmissionRecord.Columns.state == state.rawValue)
                .order(SubmissionRecord.Columns.priority, SubmissionRecord.Columns.createdAt)
                .limit(limit)
                .fetchAll(db)
        }
    }
}

/// What one answer from the centre (or its absence) does to a request.
public enum QueueAnswer: Sendable, Hashable {
    /// Acknowledged, with the centre's reference.
    case forwarded(reference: String)
    /// Refused for good: set aside with the reason.
    case dead(reason: String)
    /// May pass later: back to the queue, due at `at`.
    case retry(error: String, at: Date)
}

public struct QueueSummary: Sendable, Hashable {
    public var counts: [QueueState: Int]
    public var oldestPending: Date?
    /// The oldest red (urgent) request still waiting to reach the centre.
    public var oldestRedPending: Date?

    public subscript(state: QueueState) -> Int { counts[state] ?? 0 }
    public var pending: Int { self[.queued] + self[.sending] }

    public init(counts: [QueueState: Int], oldestPending: Date?, oldestRedPending: Date? = nil) {
        self.counts = counts
        self.oldestPending = oldestPending
        self.oldestRedPending = oldestRedPending
    }
}
