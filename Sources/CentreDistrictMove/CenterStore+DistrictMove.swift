import CentreStore
import Foundation
import IntakeProtocol
import StorageSupport

/// What `migrate-to-postgres` did: a street centre's data moved into the
/// district's database.
public struct DistrictMove: Sendable, Equatable {
    /// Requests in the street centre's database.
    public var requests = 0
    /// Copied by this run, with their cases and timelines.
    public var moved = 0
    /// Already in the district's database (an earlier, perhaps interrupted, run).
    public var alreadyThere = 0
    /// Moved under a new reference: the district already used theirs.
    public var renumbered = 0
    public var staffAdded = 0
    /// Accounts whose name the district already had: the district's is kept.
    public var staffKept = 0
    public var kiosksAdded = 0
    public var kiosksKept = 0
    /// Access-log lines copied by this run.
    public var auditLines = 0
}

extension CenterStore {
    /// Copies this (a street centre's) database into `district`: kiosks and
    /// their secrets, staff, every request with its case and timeline, and
    /// the access log. Resident data is opened with this centre's seal key
    /// and sealed again with the district's. Each batch is one transaction
    /// in the district's database, and a request already there is skipped,
    /// so a run that was interrupted is simply run again. References the
    /// district already uses are replaced by new ones (the access log and
    /// duplicates follow). Sessions and heartbeats are not moved.
    ///
    /// - Parameters:
    ///   - source: names this street centre in the district's database (how
    ///     far its access log was copied); the same on every run.
    ///   - street: the street of kiosks, cases and staff that have none.
    public func move(into district: CenterStore, source: String, street: String?, batchSize: Int = 200,
                     now: Date = Date(), progress: (Int) -> Void = { _ in }) async throws -> DistrictMove {
        guard district.dialect == .postgres else {
            throw CenterError(description: "the district's database must be PostgreSQL (postgres://…)")
        }
        try await checkMove(into: district, street: street)
        var move = DistrictMove()
        try await moveKiosks(into: district, street: street, now: now, move: &move)
        try await moveStaff(into: district, street: street, move: &move)
        move.requests = try await database.read { try await $0.fetchValue("SELECT COUNT(*) FROM submissions") ?? 0 }
        var after: Int64 = 0
        while true {
            let rows = try await database.read { db in
                try await db.fetchAll("""
                    SELECT s.*, c.* FROM submissions s JOIN cases c ON c.seq = s.seq WHERE s.seq > ? ORDER BY s.seq LIMIT ?
                    """, [after, batchSize])
            }
            guard let last = rows.last else { break }
            after = last["seq"]
            let (events, referrals) = try await database.read { db in
                let range: [any SQLArgument] = [rows[0]["seq"] as Int64, after]
                return (try await db.fetchAll("SELECT * FROM case_events WHERE seq >= ? AND seq <= ? ORDER BY id", range),
                        try await self.referralRows(db, seqFrom: range[0], through: range[1]))
            }
            try await district.database.write { db in
                for row in rows {
                    let seq: Int64 = row["seq"]
                    try await self.moveRequest(row, events: events.filter { ($0["seq"] as Int64) == seq },
                                               referrals: referrals.of(seq), into: district, street: street, in: db,
                                               move: &move)
                }
                // New requests at the district number on from the highest moved.
                try await db.execute("""
                    SELECT setval('submissions_seq', GREATEST((SELECT MAX(seq) FROM submissions),
                                                              (SELECT last_value FROM submissions_seq)))
                    """)
            }
            progress(move.moved + move.alreadyThere)
        }
        let references = try await referenceMap(to: district)
        try await fixDuplicates(in: district, references: references)
        try await moveAuditLog(into: district, source: source, references: references, batchSize: batchSize, move: &move)
        try await district.database.write { db in
            try await db.execute("UPDATE district_imports SET finished_at = ? WHERE source = ?", [now.millisecondsSince1970, source])
            try await Self.audit(db, actor: "migrate-to-postgres", action: "district_import",
                           detail: "\(source): \(move.moved) requests moved, \(move.alreadyThere) already here", at: now)
        }
        return move
    }

    private func moveKiosks(into district: CenterStore, street: String?, now: Date, move: inout DistrictMove) async throws {
        let (kiosks, secrets) = try await database.read { db in
            (try await db.fetchAll("SELECT * FROM kiosks ORDER BY code"),
             try await db.fetchAll("SELECT * FROM kiosk_secrets ORDER BY kiosk_code, generation"))
        }
        try await district.database.write { db in
            for kiosk in kiosks {
                let code: String = kiosk["code"]
                if try await db.fetchOne("SELECT 1 FROM kiosks WHERE code = ?", [code]) != nil {
                    move.kiosksKept += 1
                    continue
                }
                try await db.execute("""
                    INSERT INTO kiosks (code, created_at, revoked_at, last_heartbeat_at, last_heartbeat, street,
                                        place, health, problems, health_since, clock_offset_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [code, kiosk["created_at"] as Int64, kiosk["revoked_at"] as Int64?,
                          kiosk["last_heartbeat_at"] as Int64?, kiosk["last_heartbeat"] as String?,
                          (kiosk["street"] as String?) ?? street, kiosk["place"] as String?, kiosk["health"] as String?,
                          kiosk["problems"] as String?, kiosk["health_since"] as Int64?, kiosk["clock_offset_ms"] as Int64?])
                for secret in secrets where (secret["kiosk_code"] as String) == code {
                    let generation: Int = secret["generation"]
                    let opened = try openSecret(secret["sealed_secret"], kiosk: code, generation: generation)
                    try await db.execute("""
                        INSERT INTO kiosk_secrets (kiosk_code, generation, sealed_secret, created_at, retired_at)
                        VALUES (?, ?, ?, ?, ?)
                        """, [code, generation,
                              try district.sealer.seal(Data(opened), context: Self.secretContext(code, generation)),
                              secret["created_at"] as Int64, secret["retired_at"] as Int64?])
                }
                move.kiosksAdded += 1
            }
        }
    }

    private func moveStaff(into district: CenterStore, street: String?, move: inout DistrictMove) async throws {
        let staff = try await database.read { try await $0.fetchAll("SELECT * FROM staff ORDER BY username") }
        try await district.database.write { db in
            for member in staff {
                if try await db.fetchOne("SELECT 1 FROM staff WHERE username = ?", [member["username"] as String]) != nil {
                    move.staffKept += 1
                    continue
                }
                // A partner's staff serve their organisation, not a street.
                let partner: String? = member["partner"], ownStreet: String? = member["street"]
                let movedStreet: String? = partner == nil ? ownStreet ?? street : nil
                try await db.execute("""
                    INSERT INTO staff (username, role, password_hash, disabled, failed_logins, locked_until, created_at,
                                       password_changed_at, street, partner)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [member["username"] as String, member["role"] as String, member["password_hash"] as String,
                          member["disabled"] as Int64, member["failed_logins"] as Int64, member["locked_until"] as Int64?,
                          member["created_at"] as Int64, member["password_changed_at"] as Int64,
                          movedStreet, partner])
                move.staffAdded += 1
            }
        }
    }

    private func moveRequest(_ row: SQLRow, events: [SQLRow], referrals: MovedReferrals, into district: CenterStore,
                             street: String?, in db: any SQLConnection, move: inout DistrictMove) async throws {
        let id: String = row["id"]
        if let held = try await db.fetchOne("SELECT body_digest FROM submissions WHERE id = ?", [id]) {
            guard (held["body_digest"] as String) == (row["body_digest"] as String) else {
                throw CenterError(description: "request \(row["reference"] as String) is held by the district with another body")
            }
            move.alreadyThere += 1
            return
        }
        if let holder: String = try await db.fetchValue("SELECT reference FROM submissions WHERE kiosk_code = ? AND receipt_number = ?",
                                                  [row["kiosk_code"] as String, row["receipt_number"] as String]) {
            throw CenterError(description: "receipt \(row["receipt_number"] as String) is held by another request (\(holder))")
        }
        var seq: Int64 = row["seq"], reference: String = row["reference"]
        if try await db.fetchOne("SELECT 1 FROM submissions WHERE seq = ? OR reference = ?", [seq, reference]) != nil {
            seq = try await db.fetchValue(db.dialect.nextSubmissionNumber) ?? seq
            reference = "C" + String(seq).leftPadded(to: 8)
            move.renumbered += 1
        }
        let uuid = UUID(uuidString: id)!
        func reseal(_ sealed: Data?) throws -> Data? {
            guard let sealed, !sealed.isEmpty else { return sealed }
            return try district.sealer.seal(try sealer.open(sealed, boundTo: uuid), boundTo: uuid)
        }
        try await db.execute("""
            INSERT INTO submissions (seq, id, reference, kiosk_code, receipt_number, hardship, priority, programme,
                service, created_at, received_at, body_digest, sealed_body, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [seq, id, reference, row["kiosk_code"] as String, row["receipt_number"] as String, row["hardship"] as String,
                  row["priority"] as Int64, row["programme"] as String, row["service"] as String, row["created_at"] as Int64,
                  row["received_at"] as Int64, row["body_digest"] as String, try reseal(row["sealed_body"]) ?? Data(),
                  row["source"] as String])
        // The number's digest is keyed by the seal key: made again with the district's (none once erased).
        let body: Data = row["sealed_body"]
        let phoneKey: String? = body.isEmpty ? nil
            : district.messageKeys.phoneKey(try IntakeSubmission.decode(try sealer.open(body, boundTo: uuid)).applicant.phone)
        try await db.execute("""
            INSERT INTO cases (seq, priority, street, created_at, received_at, due_at, state, assignee, first_contact_at,
                unanswered_attempts, partner, outcome, duplicate_of, closed_at, updated_at, sealed_reasons, erased_at,
                kiosk_street, version, next_review_at, texts_allowed, phone_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [seq, row["priority"] as Int64, row["street"] as String, row["created_at"] as Int64,
                  row["received_at"] as Int64, row["due_at"] as Int64, row["state"] as String, row["assignee"] as String?,
                  row["first_contact_at"] as Int64?, row["unanswered_attempts"] as Int64, row["partner"] as String?,
                  row["outcome"] as String?, row["duplicate_of"] as String?, row["closed_at"] as Int64?,
                  row["updated_at"] as Int64, try reseal(row["sealed_reasons"]), row["erased_at"] as Int64?,
                  (row["kiosk_street"] as String?) ?? street, row["version"] as Int64, row["next_review_at"] as Int64?,
                  row["texts_allowed"] as Int64, phoneKey])
        for event in events {
            try await db.execute("""
                INSERT INTO case_events (seq, at, actor, action, from_state, to_state, detail, sealed_note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [seq, event["at"] as Int64, event["actor"] as String, event["action"] as String,
                      event["from_state"] as String?, event["to_state"] as String, event["detail"] as String?,
                      try reseal(event["sealed_note"])])
        }
        try await Self.insertReferrals(referrals, seq: seq, reference: reference, reseal: reseal, in: db)
        try await Self.insertMessages(referrals, seq: seq, reseal: reseal, in: db)
        move.moved += 1
    }

    /// This centre's references → the district's, for the requests it holds of ours.
    private func referenceMap(to district: CenterStore) async throws -> [String: String] {
        let ours = try await database.read { db in
            try await db.fetchAll("SELECT reference, id FROM submissions").map { ($0["id"] as String, $0["reference"] as String) }
        }
        var theirs: [String: String] = [:]
        for chunk in stride(from: 0, to: ours.count, by: 500).map({ Array(ours[$0..<min($0 + 500, ours.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            try await district.database.read { db in
                for row in try await db.fetchAll("SELECT id, reference FROM submissions WHERE id IN (\(marks))", chunk.map(\.0)) {
                    theirs[row["id"]] = row["reference"]
                }
            }
        }
        return Dictionary(ours.compactMap { id, reference in theirs[id].map { (reference, $0) } }) { first, _ in first }
    }

    /// A case closed as a duplicate names its original by reference: the district's, once moved.
    private func fixDuplicates(in district: CenterStore, references: [String: String]) async throws {
        let renamed = references.filter { $0.key != $0.value }
        guard !renamed.isEmpty else { return }
        let moved = Array(Set(references.values))
        try await district.database.write { db in
            for chunk in stride(from: 0, to: moved.count, by: 500).map({ Array(moved[$0..<min($0 + 500, moved.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                for row in try await db.fetchAll("""
                    SELECT c.seq, c.duplicate_of FROM cases c JOIN submissions s ON s.seq = c.seq
                    WHERE c.duplicate_of IS NOT NULL AND s.reference IN (\(marks))
                    """, chunk) {
                    if let original = renamed[row["duplicate_of"] as String] {
                        try await db.execute("UPDATE cases SET duplicate_of = ? WHERE seq = ?", [original, row["seq"] as Int64])
                    }
                }
            }
        }
    }

    private func moveAuditLog(into district: CenterStore, source: String, references: [String: String], batchSize: Int,
                              move: inout DistrictMove) async throws {
        var through: Int64 = try await district.database.write { db in
            if let row = try await db.fetchOne("SELECT audit_through FROM district_imports WHERE source = ?", [source]) {
                return row["audit_through"]
            }
            try await db.execute("INSERT INTO district_imports (source) VALUES (?)", [source])
            return 0
        }
        while true {
            let lines = try await database.read { db in
                try await db.fetchAll("SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", [through, batchSize])
            }
            guard let last = lines.last else { return }
            try await district.database.write { db in
                for line in lines {
                    let reference = (line["case_reference"] as String?).map { references[$0] ?? $0 }
                    try await db.execute("INSERT INTO audit_log (at, actor, action, case_reference, detail) VALUES (?, ?, ?, ?, ?)",
                                   [line["at"] as Int64, line["actor"] as String, line["action"] as String, reference,
                                    line["detail"] as String?])
                }
                // In the same transaction: a line is copied exactly when the mark says so.
                try await db.execute("""
                    UPDATE district_imports SET audit_through = ?, audit_lines = audit_lines + ? WHERE source = ?
                    """, [last["id"] as Int64, lines.count, source])
            }
            through = last["id"]
            move.auditLines += lines.count
        }
    }
}
