import Foundation
import GRDB
import IntakeProtocol
import KioskStore

/// The centre's intake database: registered kiosks, received submissions
/// (deduplicated by submission id with a body digest) and heartbeats.
///
/// Shaped for the staff console to come: list by hardship level
/// (`submissions_by_level`), look a ticket up by the receipt number its QR
/// token carries (`submissions_by_receipt`). Bodies hold personal data and
/// are sealed with the centre's own key.
public final class CenterStore: Sendable {
    let pool: DatabasePool
    let sealer: Sealer

    public init(path: String, sealKey: [UInt8]) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        sealer = Sealer(keyBytes: sealKey)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            let problems = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard problems == ["ok"] else { throw StoreError.corrupt(path, problems.joined(separator: "; ")) }
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-kiosks-submissions-heartbeats") { db in
            try db.execute(sql: """
                CREATE TABLE kiosks (
                    code TEXT PRIMARY KEY NOT NULL,
                    secret TEXT NOT NULL CHECK (length(secret) = 64),
                    created_at INTEGER NOT NULL,
                    last_heartbeat_at INTEGER,
                    last_heartbeat TEXT
                );
                CREATE TABLE submissions (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    reference TEXT NOT NULL UNIQUE,
                    kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
                    receipt_number TEXT NOT NULL,
                    hardship TEXT NOT NULL CHECK (hardship IN ('red', 'yellow', 'green')),
                    priority INTEGER NOT NULL,
                    programme TEXT NOT NULL,
                    service TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    body_digest TEXT NOT NULL,
                    sealed_body BLOB NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('http', 'import')),
                    CHECK (priority = CASE hardship WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END)
                );
                CREATE INDEX submissions_by_level ON submissions (priority, received_at);
                CREATE UNIQUE INDEX submissions_by_receipt ON submissions (kiosk_code, receipt_number);
                CREATE TABLE heartbeats (
                    id INTEGER PRIMARY KEY,
                    kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
                    received_at INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                """)
        }
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
            throw StoreError.schemaNewer(path, [])
        }
        try migrator.migrate(pool)
    }

    // MARK: Kiosks

    /// Registers a kiosk with a new secret and returns it (shown once).
    public func addKiosk(_ code: String, now: Date = Date()) throws -> String {
        let secret = RequestSigner.newSecret()
        try pool.write { db in
            try db.execute(sql: "INSERT INTO kiosks (code, secret, created_at) VALUES (?, ?, ?)",
                           arguments: [code, secret, Int64(now.timeIntervalSince1970 * 1000)])
        }
        return secret
    }

    public struct KioskEntry: Sendable {
        public var code: String
        public var registeredAt: Date
        public var lastHeartbeat: Date?
        public var submissions: Int
    }

    public func kiosks() throws -> [KioskEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT k.code, k.created_at, k.last_heartbeat_at,
                       (SELECT COUNT(*) FROM submissions s WHERE s.kiosk_code = k.code) AS n
                FROM kiosks k ORDER BY k.code
                """).map { row in
                KioskEntry(code: row["code"], registeredAt: Date(timeIntervalSince1970: Double(row["created_at"] as Int64) / 1000),
                           lastHeartbeat: (row["last_heartbeat_at"] as Int64?).map { Date(timeIntervalSince1970: Double($0) / 1000) },
                           submissions: row["n"])
            }
        }
    }

    /// A registered kiosk's secret, or nil.
    public func secret(of code: String) async throws -> [UInt8]? {
        let hex = try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT secret FROM kiosks WHERE code = ?", arguments: [code])
        }
        return hex.flatMap(CredentialStore.hexBytes)
    }

    // MARK: Submissions

    public enum Outcome: Sendable, Equatable {
        case created(String)
        case duplicate(String)
        case conflict
    }

    /// Stores a submission once: the same id with the same body gives the
    /// same reference; the same id with another body is a conflict.
    public func accept(_ submission: IntakeSubmission, body: Data, source: String = "http",
                       now: Date = Date()) async throws -> Outcome {
        let digest = RequestSigner.bodyDigest(body)
        let id = submission.submissionId.uuidString.lowercased()
        let sealed = try sealer.seal(body, boundTo: submission.submissionId)
        let priority = ["red": 0, "yellow": 1, "green": 2][submission.hardship.level] ?? 2
        return try await pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT reference, body_digest FROM submissions WHERE id = ?",
                                          arguments: [id]) {
                return (row["body_digest"] as String) == digest ? .duplicate(row["reference"]) : .conflict
            }
            let seq = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM submissions") ?? 1
            let reference = "C" + String(seq).leftPadded(to: 8)
            try db.execute(sql: """
                INSERT INTO submissions (seq, id, reference, kiosk_code, receipt_number, hardship, priority, programme,
                    service, created_at, received_at, body_digest, sealed_body, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [seq, id, reference, submission.kioskCode, submission.receiptNumber,
                                 submission.hardship.level, priority, submission.programme, submission.service,
                                 Int64(submission.createdAt.timeIntervalSince1970 * 1000),
                                 Int64(now.timeIntervalSince1970 * 1000), digest, sealed, source])
            return .created(reference)
        }
    }

    /// Ingests an offline bundle from a kiosk: opens it with that kiosk's
    /// secret and stores each request once. Returns (new, already held).
    public func importBundle(_ bundle: OfflineBundle) async throws -> (created: Int, duplicates: Int) {
        guard let secret = try await secret(of: bundle.kioskCode) else {
            throw OfflineBundle.OpenError(description: "kiosk \(bundle.kioskCode) is not registered")
        }
        var created = 0, duplicates = 0
        for body in try bundle.open(secret: secret) {
            let submission = try IntakeSubmission.decode(body)
            if let issue = submission.problem(headerKiosk: bundle.kioskCode,
                                              idempotencyKey: submission.submissionId.uuidString) {
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber): \(issue)")
            }
            switch try await accept(submission, body: body, source: "import") {
            case .created: created += 1
            case .duplicate: duplicates += 1
            case .conflict:
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber) was received with a different body")
            }
        }
        return (created, duplicates)
    }

    public func recordHeartbeat(_ heartbeat: KioskHeartbeat, body: Data, now: Date = Date()) async throws {
        let text = String(decoding: body, as: UTF8.self)
        try await pool.write { db in
            let at = Int64(now.timeIntervalSince1970 * 1000)
            try db.execute(sql: "INSERT INTO heartbeats (kiosk_code, received_at, body) VALUES (?, ?, ?)",
                           arguments: [heartbeat.kioskCode, at, text])
            try db.execute(sql: "UPDATE kiosks SET last_heartbeat_at = ?, last_heartbeat = ? WHERE code = ?",
                           arguments: [at, text, heartbeat.kioskCode])
        }
    }

    /// How many submissions the centre holds, by submission id: tests and
    /// `kiosk-center` use it to show nothing arrived twice.
    public func submissionCounts() throws -> (total: Int, distinctIDs: Int, distinctReceipts: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS total, COUNT(DISTINCT id) AS ids, COUNT(DISTINCT kiosk_code || receipt_number) AS receipts
                FROM submissions
                """)!
            return (row["total"], row["ids"], row["receipts"])
        }
    }

    /// One submission's body, opened (staff console, tests).
    public func body(ofReference reference: String) throws -> IntakeSubmission? {
        try pool.read { db -> IntakeSubmission? in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, sealed_body FROM submissions WHERE reference = ?",
                                             arguments: [reference]),
                  let id = UUID(uuidString: row["id"]) else { return nil }
            return try IntakeSubmission.decode(try self.sealer.open(row["sealed_body"], boundTo: id))
        }
    }

    public func heartbeatCount(kiosk: String) throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM heartbeats WHERE kiosk_code = ?", arguments: [kiosk]) ?? 0 }
    }

    public func integrityCheck() throws -> [String] {
        try pool.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
