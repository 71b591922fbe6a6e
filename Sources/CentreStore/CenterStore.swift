import CentreConfig
import Foundation
import IntakeProtocol
import KioskDomain
import StorageSupport
import Synchronization

/// The centre's database: registered kiosks, received requests (each stored
/// once, by submission id with a body digest) and the cases made of them,
/// staff, sessions, the access log and heartbeats.
///
/// A resident's data stays sealed with the centre's key and is opened per
/// page view (`caseDetail`); what the inbox and reports need (level,
/// programme, service, street, times, state) is kept plain beside it.
public final class CenterStore: Sendable {
    package let database: any CenterDatabase
    package let sealer: Sealer
    /// Opens what kiosks sealed to the centre; only intake and import hold it.
    let intakeKey: CentrePrivateKey?
    /// First-contact deadlines, set on each case as it arrives.
    let deadlines: FirstContactDeadlines
    let timeZone: TimeZone
    /// Requests from kiosks that arrive together are stored in one commit.
    let intakeCommits: GroupCommit<[Result<Outcome, any Error>]>
    /// Each kiosk's latest heartbeat, decoded, by when it came: the fleet
    /// page and every `/metrics` scrape read all of them, and decoding
    /// 150 JSON bodies each time was most of their cost.
    let latestHeartbeats = Mutex<[String: (receivedAt: Int64, heartbeat: KioskHeartbeat)]>([:])

    /// Intake transactions one process keeps open at once on PostgreSQL (each
    /// holds a connection of the pool while it commits).
    static let postgresIntakeLanes = 4

    public var dialect: SQLDialect { database.dialect }

    public init(database: any CenterDatabase, sealKey: [UInt8], intakeKey: CentrePrivateKey? = nil,
                deadlines: FirstContactDeadlines = .standard,
                timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) async throws {
        self.database = database
        sealer = Sealer(keyBytes: sealKey)
        self.intakeKey = intakeKey
        self.deadlines = deadlines
        self.timeZone = timeZone
        intakeCommits = GroupCommit(database: database,
                                    lanes: database.dialect == .postgres ? Self.postgresIntakeLanes : 1)
        try await sealKioskSecrets()
        try await openCasesForEarlierRequests()
    }

    /// Ends the database's connections (a PostgreSQL pool); the store is not used again.
    public func close() {
        database.close()
    }

    // MARK: Submissions

    public enum Outcome: Sendable, Equatable {
        case created(String)
        case duplicate(String)
        case conflict
        /// Another request from the same kiosk holds this receipt number
        /// (its reference): a kiosk whose database was restored from an old
        /// copy, or a tampered one. Never stored twice under one number.
        case receiptClash(String)
    }

    /// A submission body as a kiosk sent it, sealed or (from kiosks before
    /// sealing to the centre) plain, opened with the intake key.
    public func decodeSubmission(_ body: Data) throws(IntakeBody.Failure) -> IntakeSubmission {
        guard let intakeKey else { throw .sealing("this process was started without the centre's intake key") }
        return try IntakeBody.decode(body, intakeKey: intakeKey)
    }

    /// One submission of a batch, opened with the intake key.
    public func openSubmission(_ sealed: SealedSubmission) throws(IntakeBody.Failure) -> IntakeSubmission {
        guard let intakeKey else { throw .sealing("this process was started without the centre's intake key") }
        return try IntakeBody.open(sealed, intakeKey: intakeKey)
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
    }

    private func store(_ item: PreparedSubmission, source: String, now: Date, in db: any SQLConnection) async throws -> Outcome {
        let submission = item.submission
        let level = HardshipLevel(rawValue: submission.hardship.level) ?? .green
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
        if db.dialect == .postgres {
            return .created(try await storeInOneStatement(item, level: level, source: source, now: now, in: db))
        }
        let seq: Int64 = try await db.fetchValue(db.dialect.nextSubmissionNumber) ?? 1
        let reference = "C" + String(seq).leftPadded(to: 8)
        try await db.execute("""
            INSERT INTO submissions (seq, id, reference, kiosk_code, receipt_number, hardship, priority, programme,
                service, created_at, received_at, body_digest, sealed_body, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [seq, item.id, reference, submission.kioskCode, submission.receiptNumber,
                             level.rawValue, level.priority, submission.programme, submission.service,
                             submission.createdAt.millisecondsSince1970, now.millisecondsSince1970, item.digest,
                             item.sealed, source])
        try await openCase(seq: seq, level: level, street: submission.applicant.street, createdAt: submission.createdAt,
                     receivedAt: now, sealedReasons: item.reasons, kiosk: submission.kioskCode, in: db)
        return .created(reference)
    }

    /// PostgreSQL: the request, its case and its first timeline line in one
    /// statement, one round trip instead of four (the same rows the SQLite
    /// path writes; its constraints are checked at the statement's end).
    /// Returns the reference, made from the sequence's next number.
    private func storeInOneStatement(_ item: PreparedSubmission, level: HardshipLevel, source: String, now: Date,
                                     in db: any SQLConnection) async throws -> String {
        let submission = item.submission
        let due = deadlines.due(level: level, from: now, timeZone: timeZone)
        let reference: String? = try await db.fetchValue("""
            WITH n AS (SELECT nextval('submissions_seq') AS seq),
            s AS (
                INSERT INTO submissions (seq, id, reference, kiosk_code, receipt_number, hardship, priority, programme,
                    service, created_at, received_at, body_digest, sealed_body, source)
                SELECT n.seq, ?, 'C' || CASE WHEN length(n.seq::text) >= 8 THEN n.seq::text ELSE lpad(n.seq::text, 8, '0') END,
                    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM n
                RETURNING seq, reference),
            c AS (
                INSERT INTO cases (seq, priority, street, created_at, received_at, due_at, state, updated_at,
                    sealed_reasons, kiosk_street)
                SELECT s.seq, ?, ?, ?, ?, ?, 'new', ?, ?, (SELECT street FROM kiosks WHERE code = ?) FROM s),
            e AS (
                INSERT INTO case_events (seq, at, actor, action, from_state, to_state)
                SELECT s.seq, ?, ?, 'received', NULL, 'new' FROM s)
            SELECT reference FROM s
            """, [item.id, submission.kioskCode, submission.receiptNumber, level.rawValue, level.priority,
                  submission.programme, submission.service, submission.createdAt.millisecondsSince1970,
                  now.millisecondsSince1970, item.digest, item.sealed, source,
                  level.priority, submission.applicant.street, submission.createdAt.millisecondsSince1970,
                  now.millisecondsSince1970, due.millisecondsSince1970, now.millisecondsSince1970, item.reasons,
                  submission.kioskCode,
                  now.millisecondsSince1970, "kiosk " + submission.kioskCode])
        guard let reference else { throw CenterError(description: "the database stored no request") }
        return reference
    }

    func sealReasons(_ submission: IntakeSubmission) throws -> Data {
        try sealer.seal(Data(submission.hardship.reasons.joined(separator: "\n").utf8), boundTo: submission.submissionId)
    }

    /// A new case, due for first contact by its level's deadline counted
    /// from when the centre received it; handled by its kiosk's street.
    func openCase(seq: Int64, level: HardshipLevel, street: String, createdAt: Date, receivedAt: Date,
                  sealedReasons: Data, kiosk: String, in db: any SQLConnection) async throws {
        let due = deadlines.due(level: level, from: receivedAt, timeZone: timeZone)
        try await db.execute("""
            INSERT INTO cases (seq, priority, street, created_at, received_at, due_at, state, updated_at, sealed_reasons,
                kiosk_street)
            VALUES (?, ?, ?, ?, ?, ?, 'new', ?, ?, (SELECT street FROM kiosks WHERE code = ?))
            """, [seq, level.priority, street, createdAt.millisecondsSince1970,
                             receivedAt.millisecondsSince1970, due.millisecondsSince1970,
                             receivedAt.millisecondsSince1970, sealedReasons, kiosk])
        try await db.execute("""
            INSERT INTO case_events (seq, at, actor, action, from_state, to_state) VALUES (?, ?, ?, 'received', NULL, 'new')
            """, [seq, receivedAt.millisecondsSince1970, "kiosk " + kiosk])
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
                try await self.openCase(seq: row["seq"], level: HardshipLevel(rawValue: submission.hardship.level) ?? .green,
                                  street: submission.applicant.street, createdAt: submission.createdAt,
                                  receivedAt: Date(milliseconds: row["received_at"]),
                                  sealedReasons: try self.sealReasons(submission), kiosk: submission.kioskCode, in: db)
            }
        }
    }

    /// Ingests an offline bundle from a kiosk: opens it with that kiosk's
    /// secret and stores each request once. Returns (new, already held).
    public func importBundle(_ bundle: OfflineBundle) async throws -> (created: Int, duplicates: Int) {
        // Any generation of the kiosk's secret: a bundle made before a rotation still opens.
        let secrets = try await bundleSecrets(of: bundle.kioskCode)
        guard !secrets.isEmpty else {
            throw OfflineBundle.OpenError(description: "kiosk \(bundle.kioskCode) is not registered, or was revoked")
        }
        var opened: [Data]?
        var refusal: (any Error)?
        for secret in secrets where opened == nil {
            do { opened = try bundle.open(secret: secret) } catch { refusal = error }
        }
        guard let bodies = opened else { throw refusal! }
        var created = 0, duplicates = 0
        for body in bodies {
            let submission: IntakeSubmission
            do { submission = try decodeSubmission(body) } catch {
                switch error {
                case .malformed: throw OfflineBundle.OpenError(description: "the bundle holds a body that is not a submission")
                case let .sealing(reason): throw OfflineBundle.OpenError(description: reason)
                }
            }
            if let issue = submission.problem(headerKiosk: bundle.kioskCode,
                                              idempotencyKey: submission.submissionId.uuidString) {
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber): \(issue)")
            }
            switch try await accept(submission, source: "import") {
            case .created: created += 1
            case .duplicate: duplicates += 1
            case .conflict:
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber) was received with a different body")
            case let .receiptClash(holder):
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber) is already held by another request (\(holder))")
            }
        }
        return (created, duplicates)
    }

    /// Deletes heartbeats received before `cutoff`; each kiosk's latest stays
    /// in `kiosks`. Returns how many went.
    @discardableResult
    public func deleteHeartbeats(receivedBefore cutoff: Date) async throws -> Int {
        try await database.write { db in
            try await db.execute("DELETE FROM heartbeats WHERE received_at < ?", [cutoff.millisecondsSince1970])
        }
    }

    /// How many submissions the centre holds, by submission id: tests and
    /// `kiosk-center` use it to show nothing arrived twice.
    public func submissionCounts() async throws -> (total: Int, distinctIDs: Int, distinctReceipts: Int) {
        try await database.read { db in
            let row = try await db.fetchOne("""
                SELECT COUNT(*) AS total, COUNT(DISTINCT id) AS ids, COUNT(DISTINCT kiosk_code || receipt_number) AS receipts
                FROM submissions
                """)!
            return (row["total"], row["ids"], row["receipts"])
        }
    }

    /// One submission's body, opened (tests); nil when unknown or erased.
    public func body(ofReference reference: String) async throws -> IntakeSubmission? {
        try await database.read { db -> IntakeSubmission? in
            guard let row = try await db.fetchOne("SELECT id, sealed_body FROM submissions WHERE reference = ?", [reference]),
                  let id = UUID(uuidString: row["id"]) else { return nil }
            return try self.openBody(row["sealed_body"], id: id)
        }
    }

    /// Opens a sealed body; nil once retention has erased it.
    func openBody(_ sealed: Data, id: UUID) throws -> IntakeSubmission? {
        guard !sealed.isEmpty else { return nil }
        return try IntakeSubmission.decode(try sealer.open(sealed, boundTo: id))
    }

    public func heartbeatCount(kiosk: String) async throws -> Int {
        try await database.read { try await $0.fetchValue("SELECT COUNT(*) FROM heartbeats WHERE kiosk_code = ?", [kiosk]) ?? 0 }
    }

    /// A read of the database that returns promptly when it is healthy (the
    /// service's watchdog pings only after one).
    public func probe() async throws {
        _ = try await database.read { try await $0.fetchValue("SELECT COUNT(*) FROM kiosks") as Int? }
    }

    public func integrityCheck() async throws -> [String] {
        try await database.integrityCheck()
    }
}

extension HardshipLevel {
    init(priority: Int) {
        self = priority == 0 ? .red : priority == 1 ? .yellow : .green
    }
}

extension Date {
    package var millisecondsSince1970: Int64 { wireMilliseconds }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

extension String {
    package func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
