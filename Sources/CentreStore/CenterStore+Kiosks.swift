import Foundation
import IntakeProtocol
import StorageSupport

/// Registered kiosks and their secrets.
///
/// A secret is stored sealed with the centre's seal key (bound to the
/// kiosk's code and the secret's generation), so a copy of the database
/// alone signs nothing, opens no USB bundle and forges no receipt. Rotating
/// starts a new generation and retires the old one: requests must then carry
/// the new secret, while receipts printed under any earlier one still verify.
/// Revoking shuts the kiosk out at once (its requests, heartbeats and
/// bundles are refused) and keeps its receipts verifiable.
extension CenterStore {
    public struct KioskEntry: Sendable {
        public var code: String
        public var registeredAt: Date
        public var revokedAt: Date?
        /// How many secrets it has had (1 until its first rotation).
        public var generation: Int
        public var lastHeartbeat: Date?
        public var submissions: Int
        /// The street it stands in; its cases are that street centre's.
        public var street: String?
    }

    /// Registers a kiosk with a new secret and returns it (shown once).
    public func addKiosk(_ code: String, street: String? = nil, actor: String = "command line",
                         now: Date = Date()) async throws -> String {
        let secret = RequestSigner.newSecret()
        try await database.write { db in
            guard try await db.fetchOne("SELECT 1 FROM kiosks WHERE code = ?", [code]) == nil else {
                throw CenterError(description: "kiosk \(code) is already registered; `kiosk-center kiosk rotate \(code)` gives it a new secret")
            }
            try await db.execute("INSERT INTO kiosks (code, created_at, street) VALUES (?, ?, ?)",
                           [code, now.millisecondsSince1970, street])
            try await self.insertSecret(secret, kiosk: code, generation: 1, now: now, in: db)
            try await Self.audit(db, actor: actor, action: "kiosk_added", detail: code, at: now)
        }
        return secret
    }

    /// A new secret for the kiosk (returned, shown once); the previous one
    /// stops working at once. Also lets a revoked kiosk back in.
    public func rotateKiosk(_ code: String, actor: String = "command line", now: Date = Date()) async throws -> String {
        let secret = RequestSigner.newSecret()
        try await database.write { db in
            // Rotations of one kiosk from two places take their turns.
            guard try await db.fetchOne("SELECT code FROM kiosks WHERE code = ?\(db.dialect.forUpdate)", [code]) != nil,
                  let generation: Int = try await db.fetchValue("""
                      SELECT MAX(generation) FROM kiosk_secrets WHERE kiosk_code = ?
                      """, [code]) else {
                throw CenterError(description: "kiosk \(code) is not registered")
            }
            try await db.execute("UPDATE kiosk_secrets SET retired_at = ? WHERE kiosk_code = ? AND retired_at IS NULL",
                           [now.millisecondsSince1970, code])
            try await db.execute("UPDATE kiosks SET revoked_at = NULL WHERE code = ?", [code])
            try await self.insertSecret(secret, kiosk: code, generation: generation + 1, now: now, in: db)
            try await Self.audit(db, actor: actor, action: "kiosk_rotated", detail: "\(code) generation \(generation + 1)", at: now)
        }
        return secret
    }

    /// Shuts a kiosk out (lost, stolen, retired): nothing signed with any of
    /// its secrets is taken from now on. Its receipts still verify.
    public func revokeKiosk(_ code: String, actor: String = "command line", now: Date = Date()) async throws {
        try await database.write { db in
            let revoked = try await db.execute("UPDATE kiosks SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL",
                                         [now.millisecondsSince1970, code])
            guard revoked == 1 else {
                let known = try await db.fetchOne("SELECT 1 FROM kiosks WHERE code = ?", [code]) != nil
                throw CenterError(description: known ? "kiosk \(code) is already revoked" : "kiosk \(code) is not registered")
            }
            try await db.execute("UPDATE kiosk_secrets SET retired_at = ? WHERE kiosk_code = ? AND retired_at IS NULL",
                           [now.millisecondsSince1970, code])
            try await Self.audit(db, actor: actor, action: "kiosk_revoked", detail: code, at: now)
        }
    }

    /// Places a kiosk in a street: its requests from now on are that street
    /// centre's (with `cases` true, also the open and closed ones it sent before).
    public func setKioskStreet(_ code: String, street: String, earlierCases: Bool = false,
                               actor: String = "command line", now: Date = Date()) async throws {
        try await database.write { db in
            guard try await db.execute("UPDATE kiosks SET street = ? WHERE code = ?", [street, code]) == 1 else {
                throw CenterError(description: "kiosk \(code) is not registered")
            }
            if earlierCases {
                try await db.execute("""
                    UPDATE cases SET kiosk_street = ? WHERE seq IN (SELECT seq FROM submissions WHERE kiosk_code = ?)
                    """, [street, code])
            }
            try await Self.audit(db, actor: actor, action: "kiosk_street", detail: "\(code) in \(street)", at: now)
        }
    }

    public func kiosks() async throws -> [KioskEntry] {
        try await database.read { db in
            try await db.fetchAll("""
                SELECT k.code, k.created_at, k.revoked_at, k.last_heartbeat_at, k.street,
                       (SELECT MAX(generation) FROM kiosk_secrets g WHERE g.kiosk_code = k.code) AS generation,
                       (SELECT COUNT(*) FROM submissions s WHERE s.kiosk_code = k.code) AS n
                FROM kiosks k ORDER BY k.code
                """).map { row in
                KioskEntry(code: row["code"], registeredAt: Date(milliseconds: row["created_at"]),
                           revokedAt: (row["revoked_at"] as Int64?).map(Date.init(milliseconds:)),
                           generation: row["generation"] ?? 0,
                           lastHeartbeat: (row["last_heartbeat_at"] as Int64?).map(Date.init(milliseconds:)),
                           submissions: row["n"], street: row["street"])
            }
        }
    }

    /// The secret a kiosk signs with now, or nil (unknown or revoked).
    /// Read in place, not on the reader's queue: a lookup by key takes
    /// microseconds, less than the hop to another thread and back.
    public func secret(of code: String) async throws -> [UInt8]? {
        try await secretNow(of: code)
    }

    private func secretNow(of code: String) async throws -> [UInt8]? {
        try await database.read { db in try await self.currentSecret(of: code, in: db) }
    }

    func currentSecret(of code: String, in db: any SQLConnection) async throws -> [UInt8]? {
        guard let row = try await db.fetchOne("""
            SELECT g.generation, g.sealed_secret FROM kiosk_secrets g JOIN kiosks k ON k.code = g.kiosk_code
            WHERE g.kiosk_code = ? AND g.retired_at IS NULL AND k.revoked_at IS NULL
            """, [code]) else { return nil }
        return try openSecret(row["sealed_secret"], kiosk: code, generation: row["generation"])
    }

    /// Every secret a kiosk has had, newest first, revoked or not: receipts
    /// printed under any of them are genuine.
    func allSecrets(of code: String, in db: any SQLConnection) async throws -> [[UInt8]] {
        try await db.fetchAll("""
            SELECT generation, sealed_secret FROM kiosk_secrets WHERE kiosk_code = ? ORDER BY generation DESC
            """, [code]).map { row in
            try openSecret(row["sealed_secret"], kiosk: code, generation: row["generation"])
        }
    }

    /// What may open a kiosk's USB bundle: any of its secrets, unless it was revoked.
    package func bundleSecrets(of code: String) async throws -> [[UInt8]] {
        try await database.read { db in
            let revoked: Bool = try await db.fetchValue("SELECT revoked_at IS NOT NULL FROM kiosks WHERE code = ?", [code]) ?? true
            return revoked ? [] : try await self.allSecrets(of: code, in: db)
        }
    }

    /// The keys a kiosk's receipt tokens may be signed with: one derived
    /// from each secret it has had, newest first; empty for an unknown kiosk.
    public func receiptKeys(kiosk code: String) async throws -> [ReceiptKey] {
        try await database.read { db in
            try await self.allSecrets(of: code, in: db).map { ReceiptKey.derived(fromCentreSecret: $0, kioskCode: code) }
        }
    }

    /// Seals the secrets a database from before `v4-sealed-kiosk-secrets`
    /// held in the clear, and clears them: overwritten in their pages
    /// (`secure_delete`), then the write-ahead log, which still holds the
    /// pages as they were, is checkpointed into the file and emptied.
    /// Runs at every start; does nothing once done.
    func sealKioskSecrets(now: Date = Date()) async throws {
        let pending: Int = try await database.read { db in
            try await db.fetchValue("SELECT COUNT(*) FROM kiosks WHERE unsealed_secret IS NOT NULL") ?? 0
        }
        guard pending > 0 else { return }
        try await database.write { db in
            for row in try await db.fetchAll("SELECT code, unsealed_secret FROM kiosks WHERE unsealed_secret IS NOT NULL") {
                let code: String = row["code"]
                try await self.insertSecret(row["unsealed_secret"], kiosk: code, generation: 1, now: now, in: db)
                try await db.execute("UPDATE kiosks SET unsealed_secret = NULL WHERE code = ?", [code])
            }
        }
        try await database.purgeErasedPages()
    }

    private func insertSecret(_ hex: String, kiosk code: String, generation: Int, now: Date,
                              in db: any SQLConnection) async throws {
        guard let bytes = [UInt8](hex: hex), bytes.count == 32 else {
            throw CenterError(description: "the secret of kiosk \(code) is not 64 hex digits")
        }
        let sealed = try sealer.seal(Data(bytes), context: Self.secretContext(code, generation))
        try await db.execute("""
            INSERT INTO kiosk_secrets (kiosk_code, generation, sealed_secret, created_at) VALUES (?, ?, ?, ?)
            """, [code, generation, sealed, now.millisecondsSince1970])
    }

    package func openSecret(_ sealed: Data, kiosk code: String, generation: Int) throws -> [UInt8] {
        Array(try sealer.open(sealed, context: Self.secretContext(code, generation),
                              naming: "the secret of kiosk \(code) (generation \(generation))"))
    }

    package static func secretContext(_ code: String, _ generation: Int) -> Data {
        Data("kiosk-secret.v1:\(code):\(generation)".utf8)
    }
}
