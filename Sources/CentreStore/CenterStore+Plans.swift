import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// A case's plan: items of material, service or psychological help, each an
/// adviser's or a partner's (through one of the case's referrals), due on a
/// day, then done or not done with a note. Each step a timeline line and an
/// access-log line in the same transaction; items past their day, and
/// families whose review visit is due, are the inbox's follow-ups.
extension CenterStore {
    @discardableResult
    public func addPlanItem(_ input: PlanItemInput, on reference: String, by actor: String, role: StaffRole,
                            street: String? = nil, now: Date = Date()) async throws -> Int64 {
        guard role.handlesCases else { throw WorkflowError(reason: .roleCannot) }
        let what = input.what.trimmingCharacters(in: .whitespacesAndNewlines)
        if what.isEmpty { throw WorkflowError(reason: .planWhatRequired) }
        if what.count > PlanItemInput.maxText { throw WorkflowError(reason: .noteTooLong(PlanItemInput.maxText)) }
        if input.dueOn < startOfDay(now) { throw WorkflowError(reason: .planDueInPast) }
        let scope = StreetScope(street: street)
        return try await database.write { db in
            let (seq, state, uuid) = try await Self.openCase(db, reference: reference, scope: scope)
            var assignee: String?, referral: Int64?
            switch input.owner {
            case let .adviser(name):
                guard try await db.fetchOne("""
                    SELECT 1 FROM staff WHERE username = ? AND disabled = 0 AND role IN ('adviser', 'supervisor')
                    """, [name]) != nil else { throw WorkflowError(reason: .unknownStaff) }
                assignee = name
            case let .referral(number):
                guard let id: Int64 = try await db.fetchValue(
                    "SELECT id FROM referrals WHERE number = ? AND seq = ?", [number, seq])
                else { throw WorkflowError(reason: .unknownReferral) }
                referral = id
            }
            let at = now.millisecondsSince1970
            let sealed = try self.sealer.seal(Data(what.utf8), boundTo: uuid)
            guard let id: Int64 = try await db.fetchValue("""
                INSERT INTO plan_items (seq, kind, sealed_what, assignee, referral_id, due_on, state, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id
                """, [seq, input.kind.rawValue, sealed, assignee, referral, input.dueOn.millisecondsSince1970, actor, at])
            else { throw CenterError(description: "the plan item was not stored") }
            try await Self.caseLine(db, seq: seq, state: state, action: "plan_item", actor: actor,
                                    detail: input.kind.rawValue, at: at)
            try await Self.audit(db, actor: actor, action: "plan_item", case: reference, detail: input.kind.rawValue, at: now)
            return id
        }
    }

    /// Marks an open item done, or not done (which needs a note saying why).
    public func closePlanItem(_ id: Int64, done: Bool, note: String, on reference: String, by actor: String,
                              role: StaffRole, street: String? = nil, now: Date = Date()) async throws {
        guard role.handlesCases else { throw WorkflowError(reason: .roleCannot) }
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !done, trimmed.isEmpty { throw WorkflowError(reason: .planNoteRequired) }
        if trimmed.count > PlanItemInput.maxText { throw WorkflowError(reason: .noteTooLong(PlanItemInput.maxText)) }
        let scope = StreetScope(street: street)
        try await database.write { db in
            let (seq, state, uuid) = try await Self.openCase(db, reference: reference, scope: scope)
            guard let item = try await db.fetchOne("SELECT kind, state FROM plan_items WHERE id = ? AND seq = ?", [id, seq])
            else { throw WorkflowError(reason: .unknownPlanItem) }
            guard (item["state"] as String) == PlanItemState.open.rawValue else { throw WorkflowError(reason: .planItemClosed) }
            let sealed = trimmed.isEmpty ? nil : try self.sealer.seal(Data(trimmed.utf8), boundTo: uuid)
            let at = now.millisecondsSince1970
            let outcome = done ? PlanItemState.done : .notDone
            try await db.execute("""
                UPDATE plan_items SET state = ?, sealed_outcome_note = ?, closed_by = ?, closed_at = ? WHERE id = ?
                """, [outcome.rawValue, sealed, actor, at, id])
            let action = done ? "plan_done" : "plan_not_done"
            try await Self.caseLine(db, seq: seq, state: state, action: action, actor: actor, detail: item["kind"],
                                    note: sealed, at: at)
            try await Self.audit(db, actor: actor, action: action, case: reference, detail: item["kind"], at: now)
        }
    }

    /// What the inbox asks to follow up in `street`'s open cases (all when
    /// nil): plan items past their day, review visits due and residents to
    /// call because a message did not reach them, oldest first.
    public func followUps(street: String? = nil, now: Date = Date(), limit: Int = 50) async throws -> [FollowUp] {
        let scope = StreetScope(street: street)
        let today = startOfDay(now).millisecondsSince1970
        return try await database.read { db in
            let items = try await db.fetchAll("""
                SELECT s.reference, c.priority, p.id, p.kind, p.assignee, r.number, p.due_on
                FROM plan_items p JOIN cases c ON c.seq = p.seq JOIN submissions s ON s.seq = p.seq
                LEFT JOIN referrals r ON r.id = p.referral_id
                WHERE \(scope.clause("p.state = 'open'", "p.due_on < ?", "c.state != 'closed'")) ORDER BY p.due_on LIMIT ?
                """, scope.arguments([today]) + [limit]).map { row in
                FollowUp(caseReference: row["reference"], level: HardshipLevel(priority: row["priority"]),
                         what: .planItem(id: row["id"], kind: HelpKind(rawValue: row["kind"]) ?? .service,
                                         owner: Self.owner(assignee: row["assignee"], referral: row["number"])),
                         dueAt: Date(milliseconds: row["due_on"]))
            }
            let reviews = try await db.fetchAll("""
                SELECT s.reference, c.priority, c.next_review_at FROM cases c JOIN submissions s ON s.seq = c.seq
                WHERE \(scope.clause("c.state != 'closed'", "c.next_review_at IS NOT NULL", "c.next_review_at <= ?"))
                ORDER BY c.next_review_at LIMIT ?
                """, scope.arguments([now.millisecondsSince1970]) + [limit]).map { row in
                FollowUp(caseReference: row["reference"], level: HardshipLevel(priority: row["priority"]), what: .review,
                         dueAt: Date(milliseconds: row["next_review_at"]))
            }
            let calls = try await self.callsDue(db, scope: scope, now: now, limit: limit)
            return Array((items + reviews + calls).sorted { $0.dueAt < $1.dueAt }.prefix(limit))
        }
    }

    /// A case's plan, oldest first, its words opened.
    func planItems(_ db: any SQLConnection, seq: Int64, submission uuid: UUID) async throws -> [PlanItem] {
        let open = { (data: Data?) throws -> String? in
            try data.map { String(decoding: try self.sealer.open($0, boundTo: uuid), as: UTF8.self) }
        }
        return try await db.fetchAll("""
            SELECT p.*, r.number, r.state AS referral_state FROM plan_items p LEFT JOIN referrals r ON r.id = p.referral_id
            WHERE p.seq = ? ORDER BY p.id
            """, [seq]).map { row in
            PlanItem(id: row["id"], kind: HelpKind(rawValue: row["kind"]) ?? .service, what: try open(row["sealed_what"]),
                     owner: Self.owner(assignee: row["assignee"], referral: row["number"]),
                     referralState: (row["referral_state"] as String?).flatMap(ReferralState.init(rawValue:)),
                     dueOn: Date(milliseconds: row["due_on"]), state: PlanItemState(rawValue: row["state"]) ?? .open,
                     note: try open(row["sealed_outcome_note"]), createdBy: row["created_by"],
                     createdAt: Date(milliseconds: row["created_at"]), closedBy: row["closed_by"],
                     closedAt: (row["closed_at"] as Int64?).map(Date.init(milliseconds:)))
        }
    }

    static func owner(assignee: String?, referral: String?) -> PlanOwner {
        assignee.map(PlanOwner.adviser) ?? .referral(referral ?? "")
    }

    /// An open case of `scope`, locked for this transaction: its seq, state and submission id.
    static func openCase(_ db: any SQLConnection, reference: String,
                         scope: StreetScope) async throws -> (seq: Int64, state: String, submission: UUID) {
        guard let row = try await db.fetchOne("""
            SELECT c.seq, c.state, s.id FROM cases c JOIN submissions s ON s.seq = c.seq
            WHERE \(scope.clause("s.reference = ?"))\(db.dialect.forUpdate)
            """, scope.arguments([reference])) else { throw WorkflowError(reason: .unknownCase) }
        guard CaseState(rawValue: row["state"])?.isOpen ?? false else { throw WorkflowError(reason: .closed) }
        return (row["seq"], row["state"], UUID(uuidString: row["id"])!)
    }

    /// The start of `date`'s day where the centre is.
    func startOfDay(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: date)
    }
}
