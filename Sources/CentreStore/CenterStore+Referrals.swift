import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// Referrals (转介) as records of their own: made by a case's refer action
/// (`perform`), answered by the partner's staff, cancelled by the adviser.
/// Every move writes the referral, its history line and the access-log line
/// in one transaction; free text is sealed with the case's resident data.
extension CenterStore {
    /// Makes a referral of the case `seq` (locked by the caller's
    /// transaction) and its first history line; returns its number.
    static func insertReferral(_ db: any SQLConnection, seq: Int64, reference: String, partner: Partner,
                               kind: HelpKind, shareID: Bool, sealedNote: Data?, actor: String,
                               timeZone: TimeZone, at now: Date) async throws -> String {
        let count: Int = try await db.fetchValue("SELECT COUNT(*) FROM referrals WHERE seq = ?", [seq]) ?? 0
        let number = "\(reference)-\(count + 1)"
        let at = now.millisecondsSince1970
        let due = partner.answerDue(from: now, timeZone: timeZone).millisecondsSince1970
        guard let id: Int64 = try await db.fetchValue("""
            INSERT INTO referrals (number, seq, partner, kind, state, share_id, sealed_note, created_by, created_at,
                                   answer_due_at, updated_at)
            VALUES (?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?) RETURNING id
            """, [number, seq, partner.id, kind.rawValue, shareID ? 1 : 0, sealedNote, actor, at, due, at])
        else { throw CenterError(description: "the referral was not stored") }
        try await db.execute("""
            INSERT INTO referral_events (referral_id, at, actor, action, from_state, to_state, detail)
            VALUES (?, ?, ?, 'referral_create', NULL, 'requested', ?)
            """, [id, at, actor, kind.rawValue])
        return number
    }

    /// Applies one action to a referral. A partner's staff reach only their
    /// organisation's referrals (any other number is "no such referral", as
    /// an unknown one is); caseworkers only those of their street's cases.
    /// When a partner starts or completes one, a case still "referred" moves
    /// to "in service" with a timeline line of its own.
    @discardableResult
    public func perform(_ action: ReferralAction, onReferral number: String, by actor: String, as who: ReferralActor,
                        street: String? = nil, now: Date = Date()) async throws -> ReferralChange {
        try await database.write { db -> ReferralChange in
            try await self.apply(action, onReferral: number, by: actor, as: who, street: street, now: now, in: db)
        }
    }

    /// `perform` inside the caller's transaction (a partner system's answer
    /// is stored with its answer id in the same one).
    func apply(_ action: ReferralAction, onReferral number: String, by actor: String, as who: ReferralActor,
               street: String?, now: Date, in db: any SQLConnection) async throws -> ReferralChange {
        let scope = StreetScope(street: street)
        guard let row = try await db.fetchOne("""
            SELECT r.id, r.partner, r.state, r.seq, c.state AS case_state, c.texts_allowed, s.reference, s.id AS submission
            FROM referrals r JOIN cases c ON c.seq = r.seq JOIN submissions s ON s.seq = r.seq
            WHERE \(scope.clause("r.number = ?"))\(db.dialect.forUpdate)
            """, scope.arguments([number])) else { throw WorkflowError(reason: .unknownReferral) }
        let partner: String = row["partner"]
        if case let .partner(id) = who, id != partner { throw WorkflowError(reason: .unknownReferral) }
        let state = ReferralState(rawValue: row["state"]) ?? .requested
        let change = try ReferralWorkflow.change(action, state: state, partner: partner, actor: who, now: now)
        let reference: String = row["reference"]
        guard change.to != change.from else { return change }
        let at = now.millisecondsSince1970, id: Int64 = row["id"], seq: Int64 = row["seq"]
        let uuid = UUID(uuidString: row["submission"])!
        // The words as the rules kept them (what was delivered, trimmed), sealed like the resident's data.
        let words = change.delivery?.what ?? action.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        let sealed = try words.flatMap { $0.isEmpty ? nil : try self.sealer.seal(Data($0.utf8), boundTo: uuid) }
        // Declined, completed and cancelled are final, so each answer's own columns are written once and never cleared.
        try await db.execute("""
            UPDATE referrals SET state = ?,
                received_at = CASE WHEN ? = 'received' THEN ? ELSE received_at END,
                answered_at = CASE WHEN ? = 1 THEN ? ELSE answered_at END,
                decline_reason = ?, sealed_decline_note = CASE WHEN ? = 'declined' THEN ? ELSE sealed_decline_note END,
                delivered_kind = ?, sealed_delivered_what = CASE WHEN ? = 'completed' THEN ? ELSE sealed_delivered_what END,
                delivered_on = ?, delivered_amount_cents = ?, cancel_reason = ?,
                closed_at = CASE WHEN ? = 1 THEN ? END, updated_at = ?
            WHERE id = ?
            """, [change.to.rawValue, change.to.rawValue, at, change.answers ? 1 : 0, at,
                  change.declineReason?.rawValue, change.to.rawValue, sealed,
                  change.delivery?.kind.rawValue, change.to.rawValue, sealed,
                  change.delivery.map { $0.on.millisecondsSince1970 }, change.delivery?.amountCents,
                  change.cancelReason?.rawValue, change.to.isOpen ? 0 : 1, at, at, id])
        try await db.execute("""
            INSERT INTO referral_events (referral_id, at, actor, action, from_state, to_state, detail, sealed_note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [id, at, actor, action.name, change.from.rawValue, change.to.rawValue, change.detail, sealed])
        try await Self.audit(db, actor: actor, action: action.name, case: reference,
                             detail: [number, change.detail].compactMap { $0 }.joined(separator: " "), at: now)
        var caseState: String = row["case_state"]
        if change.to == .inProgress || change.to == .completed, caseState == CaseState.referred.rawValue {
            try await db.execute("UPDATE cases SET state = 'in_service', updated_at = ? WHERE seq = ?", [at, seq])
            try await db.execute("""
                INSERT INTO case_events (seq, at, actor, action, from_state, to_state, detail)
                VALUES (?, ?, ?, 'start_service', 'referred', 'in_service', ?)
                """, [seq, at, actor, number])
            caseState = CaseState.inService.rawValue
        }
        // What the resident may hear of it, on the case's timeline (which the kiosk's progress follows).
        if let step = ReferralProgressLine(partner: partner, change: change) {
            try await db.execute("""
                INSERT INTO case_events (seq, at, actor, action, from_state, to_state, detail)
                VALUES (?, ?, ?, 'referral', ?, ?, ?)
                """, [seq, at, actor, caseState, caseState, step.detail])
        }
        try await queueMessages(forReferral: change, partner: partner, seq: seq, allowed: (row["texts_allowed"] as Int64) == 1,
                                actor: actor, now: now, in: db)
        return change
    }

    /// The referrals of case `seq`, oldest first, each with its history and its notes opened.
    func referrals(_ db: any SQLConnection, seq: Int64, reference: String, submission uuid: UUID) async throws -> [ReferralRecord] {
        let events = try await db.fetchAll("""
            SELECT e.* FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE r.seq = ? ORDER BY e.id
            """, [seq])
        let open = { (data: Data?) throws -> String? in
            try data.map { String(decoding: try self.sealer.open($0, boundTo: uuid), as: UTF8.self) }
        }
        return try await db.fetchAll("SELECT * FROM referrals WHERE seq = ? ORDER BY id", [seq]).map { row in
            let id: Int64 = row["id"]
            return ReferralRecord(
                number: row["number"], caseReference: reference, partner: row["partner"],
                kind: HelpKind(rawValue: row["kind"]) ?? .service, state: ReferralState(rawValue: row["state"]) ?? .requested,
                shareID: row["share_id"] as Int64 == 1, note: try open(row["sealed_note"]), createdBy: row["created_by"],
                createdAt: Date(milliseconds: row["created_at"]), answerDueAt: Date(milliseconds: row["answer_due_at"]),
                receivedAt: (row["received_at"] as Int64?).map(Date.init(milliseconds:)),
                answeredAt: (row["answered_at"] as Int64?).map(Date.init(milliseconds:)),
                declineReason: (row["decline_reason"] as String?).flatMap(DeclineReason.init(rawValue:)),
                declineNote: try open(row["sealed_decline_note"]),
                delivery: Self.delivery(row, what: try open(row["sealed_delivered_what"])),
                cancelReason: (row["cancel_reason"] as String?).flatMap(CancelReason.init(rawValue:)),
                closedAt: (row["closed_at"] as Int64?).map(Date.init(milliseconds:)),
                history: events.filter { $0["referral_id"] as Int64 == id }.map { event in
                    ReferralEvent(at: Date(milliseconds: event["at"]), actor: event["actor"], action: event["action"],
                                  from: (event["from_state"] as String?).flatMap(ReferralState.init(rawValue:)),
                                  to: ReferralState(rawValue: event["to_state"]) ?? .requested, detail: event["detail"])
                })
        }
    }

    static func delivery(_ row: SQLRow, what: String?) -> Delivery? {
        guard let kind = (row["delivered_kind"] as String?).flatMap(HelpKind.init(rawValue:)),
              let on = row["delivered_on"] as Int64? else { return nil }
        return Delivery(kind: kind, what: what ?? "", on: Date(milliseconds: on),
                        amountCents: (row["delivered_amount_cents"] as Int64?).map(Int.init))
    }
}
