import CentreWorkflow
import Foundation
import IntakeProtocol

/// The fleet: each kiosk's latest heartbeat, judged when it arrives, and
/// a bounded history (`retention.keep_heartbeats_days`) for its chart.
/// Counts, states and times only; a kiosk's code, street and place are not
/// personal data.
extension CenterStore {
    /// One kiosk as the fleet page shows it.
    public struct FleetKiosk: Sendable {
        public var code: String
        public var street: String?
        public var place: String?
        public var health: FleetHealth
        /// Since when it has been in this health (its first heartbeat in it,
        /// or its last heartbeat once silent).
        public var since: Date?
        public var problems: [FleetProblem]
        public var lastHeard: Date?
        /// The latest heartbeat, as the kiosk sent it.
        public var heartbeat: KioskHeartbeat?
        /// The kiosk's clock minus the centre's at its last heartbeat.
        public var clockOffsetSeconds: Int?

        public var printerReady: Bool? { heartbeat?.printerState.map(FleetJudgement.printerReady) }
    }

    /// Stores a heartbeat and the kiosk's health judged from it; false when
    /// one with this signature is already stored (a replay: a captured
    /// heartbeat sent again within the signing window). The history keeps
    /// every heartbeat's chart numbers but its body only when the kiosk's
    /// health or problems changed (or it was silent before): a district's
    /// 150 kiosks send 6 million heartbeats a month.
    @discardableResult
    public func recordHeartbeat(_ heartbeat: KioskHeartbeat, body: Data, signature: String,
                                now: Date = Date()) async throws -> Bool {
        let text = String(decoding: body, as: UTF8.self)
        let (health, problems) = FleetJudgement.judge(heartbeat, receivedAt: now)
        let codes = problems.map(\.changeKey).joined(separator: ",")
        let ready = heartbeat.printerState.map { FleetJudgement.printerReady($0) ? 1 : 0 }
        let interval = heartbeat.intervalSeconds.map(TimeInterval.init) ?? FleetJudgement.defaultInterval
        let heardRecently = now.addingTimeInterval(-interval * FleetJudgement.silentAfterIntervals).millisecondsSince1970
        let at = now.millisecondsSince1970
        return try await database.write { db in
            let before = try await db.fetchOne("SELECT health, problems, health_since, last_heartbeat_at FROM kiosks WHERE code = ?",
                                         [heartbeat.kioskCode])
            let lastHeard = before.flatMap { $0["last_heartbeat_at"] as Int64? } ?? 0
            let sameHealth = lastHeard >= heardRecently && before.flatMap { $0["health"] as String? } == health.rawValue
            let changed = !sameHealth || before.flatMap { $0["problems"] as String? } != codes
            let since = sameHealth ? before.flatMap { $0["health_since"] as Int64? } ?? at : at
            let stored = try await db.execute("""
                INSERT INTO heartbeats (kiosk_code, received_at, body, signature, health, queue_depth, printer_ready)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (signature) WHERE signature IS NOT NULL DO NOTHING
                """, [heartbeat.kioskCode, at, changed ? text : "", signature, health.rawValue, heartbeat.queueDepth, ready])
            guard stored == 1 else { return false }
            try await db.execute("""
                UPDATE kiosks SET health = ?, problems = ?, health_since = ?, last_heartbeat_at = ?, last_heartbeat = ?,
                    clock_offset_ms = ?
                WHERE code = ?
                """, [health.rawValue, codes, since, at, text,
                      WireNumbers.difference(heartbeat.sentAt.millisecondsSince1970, at), heartbeat.kioskCode])
            return true
        }
    }

    /// A kiosk's last changes (a heartbeat whose health or problems differed
    /// from the one before), newest first, judged again from their bodies.
    public func kioskChanges(_ code: String, limit: Int = 10) async throws -> [(at: Date, health: FleetHealth, problems: [FleetProblem])] {
        try await database.read { db in
            try await db.fetchAll("""
                SELECT received_at, body FROM heartbeats WHERE kiosk_code = ? AND body != ''
                ORDER BY received_at DESC LIMIT ?
                """, [code, limit]).compactMap { row in
                let at = Date(milliseconds: row["received_at"])
                guard let beat = try? KioskHeartbeat.decode(Data((row["body"] as String).utf8)) else { return nil }
                let (health, problems) = FleetJudgement.judge(beat, receivedAt: at)
                return (at, health, problems)
            }
        }
    }

    /// A signed request refused for its timestamp: the kiosk's clock is off
    /// by more than the signing window. Noted at most once a minute a kiosk
    /// (a kiosk in that state retries often).
    public func noteClockRefused(kiosk code: String, offsetSeconds: Int64, now: Date = Date()) async throws {
        try await database.write { db in
            _ = try await db.execute("""
                UPDATE kiosks SET clock_refused_at = ?, clock_refused_offset_ms = ?
                WHERE code = ? AND (clock_refused_at IS NULL OR clock_refused_at < ?)
                """, [now.millisecondsSince1970, WireNumbers.product(offsetSeconds, 1000), code,
                      now.addingTimeInterval(-60).millisecondsSince1970])
        }
    }

    /// Every enrolled kiosk (of one street, when given), worst first, then
    /// longest in that state.
    public func fleet(street: String? = nil, now: Date = Date()) async throws -> [FleetKiosk] {
        try await fleetRows(condition: street == nil ? "" : "AND street = ?", arguments: street.map { [$0] } ?? [], now: now)
            .sorted { a, b in
                if a.health != b.health { return a.health < b.health }
                if a.since != b.since { return (a.since ?? .distantPast) < (b.since ?? .distantPast) }
                return a.code < b.code
            }
    }

    /// One enrolled kiosk, or nil.
    public func fleetKiosk(_ code: String, now: Date = Date()) async throws -> FleetKiosk? {
        try await fleetRows(condition: "AND code = ?", arguments: [code], now: now).first
    }

    private func fleetRows(condition: String, arguments: [any SQLArgument], now: Date) async throws -> [FleetKiosk] {
        try await database.read { db in
            try await db.fetchAll("""
                SELECT code, street, place, created_at, last_heartbeat_at, last_heartbeat, health_since, clock_offset_ms,
                       clock_refused_at, clock_refused_offset_ms
                FROM kiosks WHERE revoked_at IS NULL \(condition)
                """, arguments).map { row in
                fleetKiosk(row, now: now)
            }
        }
    }

    /// The kiosk's latest heartbeat, decoded once per heartbeat.
    private func latestHeartbeat(_ code: String, receivedAt: Int64?, body: String?) -> KioskHeartbeat? {
        guard let receivedAt, let body else { return nil }
        if let cached = latestHeartbeats.withLock({ $0[code] }), cached.receivedAt == receivedAt { return cached.heartbeat }
        guard let heartbeat = try? KioskHeartbeat.decode(Data(body.utf8)) else { return nil }
        latestHeartbeats.withLock { $0[code] = (receivedAt, heartbeat) }
        return heartbeat
    }

    /// Judges a row: the stored health and its problems, then what only the
    /// centre knows now (silence, a clock it refuses).
    func fleetKiosk(_ row: SQLRow, now: Date) -> FleetKiosk {
        let lastHeard = (row["last_heartbeat_at"] as Int64?).map(Date.init(milliseconds:))
        let heartbeat = latestHeartbeat(row["code"], receivedAt: row["last_heartbeat_at"], body: row["last_heartbeat"])
        var kiosk = FleetKiosk(code: row["code"], street: row["street"], place: row["place"], health: .ok,
                               since: (row["health_since"] as Int64?).map(Date.init(milliseconds:)), problems: [],
                               lastHeard: lastHeard, heartbeat: heartbeat,
                               clockOffsetSeconds: (row["clock_offset_ms"] as Int64?).map { Int($0 / 1000) })
        if let heartbeat, let lastHeard {
            // Judged again (the same as at receipt, under this version's rules).
            (kiosk.health, kiosk.problems) = FleetJudgement.judge(heartbeat, receivedAt: lastHeard)
        }
        let refusedAt = row["clock_refused_at"] as Int64?
        let refusedSince = refusedAt.map { $0 > (lastHeard?.millisecondsSince1970 ?? 0) } ?? false
        if FleetJudgement.isSilent(lastHeard: lastHeard, intervalSeconds: heartbeat?.intervalSeconds, now: now) {
            kiosk.health = .silent
            kiosk.since = lastHeard ?? Date(milliseconds: row["created_at"])
            kiosk.problems.insert(lastHeard.map { .silent(lastHeard: $0) } ?? .neverHeard, at: 0)
        }
        if refusedSince, let offset = row["clock_refused_offset_ms"] as Int64? {
            // Heard trying, refused for its clock: it cannot deliver anything.
            kiosk.health = .down
            kiosk.since = lastHeard ?? Date(milliseconds: row["created_at"])
            kiosk.problems.insert(.clockRefused(offsetSeconds: Int(offset / 1000)), at: 0)
        }
        return kiosk
    }

    /// A kiosk's history in buckets of `bucket` seconds since `since`: the
    /// highest queue depth and how many heartbeats found the printer not ready.
    public struct FleetHistoryBucket: Sendable, Equatable {
        public var start: Date
        public var heartbeats: Int
        public var maxQueueDepth: Int
        public var printerNotReady: Int
    }

    public func kioskHistory(_ code: String, since: Date, bucket: TimeInterval) async throws -> [FleetHistoryBucket] {
        let origin = since.millisecondsSince1970, width = Int64(bucket * 1000)
        return try await database.read { db in
            try await db.fetchAll("""
                SELECT (received_at - ?) / ? AS bucket, COUNT(*) AS n, MAX(queue_depth) AS depth,
                       SUM(CASE WHEN printer_ready = 0 THEN 1 ELSE 0 END) AS not_ready
                FROM heartbeats WHERE kiosk_code = ? AND received_at >= ?
                GROUP BY 1 ORDER BY 1
                """, [origin, width, code, origin]).map { row in
                FleetHistoryBucket(start: Date(milliseconds: origin + (row["bucket"] as Int64) * width),
                                   heartbeats: row["n"], maxQueueDepth: row["depth"] ?? 0,
                                   printerNotReady: row["not_ready"] ?? 0)
            }
        }
    }

    /// A place as stored: trimmed, 1 to 120 characters (a line of the
    /// fleet table); otherwise an error that says so.
    public static func kioskPlace(_ text: String) throws -> String {
        let place = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !place.isEmpty, place.count <= 120, !place.contains(where: \.isNewline) else {
            throw CenterError(description: "a place is one line of 1 to 120 characters")
        }
        return place
    }

    /// Sets where a kiosk stands, as technicians and staff call the place.
    public func setKioskPlace(_ code: String, place text: String, actor: String = "command line", now: Date = Date()) async throws {
        let place = try Self.kioskPlace(text)
        try await database.write { db in
            guard try await db.execute("UPDATE kiosks SET place = ? WHERE code = ?", [place, code]) == 1 else {
                throw CenterError(description: "kiosk \(code) is not registered")
            }
            try await Self.audit(db, actor: actor, action: "kiosk_place", detail: "\(code): \(place)", at: now)
        }
    }
}
