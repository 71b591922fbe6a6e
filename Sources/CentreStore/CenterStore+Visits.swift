import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// Home visits: recorded against the case's version (a visit made from an
/// older view of the case is refused), scored with the form, kept when the
/// level holds, else waiting for a supervisor, whose approval moves the case's
/// level, first-contact deadline and inbox place. Every step a timeline line
/// and an access-log line in the same transaction.
extension CenterStore {
    @discardableResult
    public func recordVisit(_ input: VisitInput, on reference: String, expectedVersion: Int64, by actor: String,
                            role: StaffRole, form: HomeVisitForm, street: String? = nil,
                            now: Date = Date()) async throws -> (visit: Int64, assessment: VisitAssessment, state: VisitState) {
        guard role.handlesCases else { throw WorkflowError(reason: .roleCannot) }
        try HomeVisitScoring.check(input.answers, form: form)
        if input.met.count > VisitInput.maxText || input.note.count > VisitInput.maxText {
            throw WorkflowError(reason: .noteTooLong(VisitInput.maxText))
        }
        let scope = StreetScope(street: street)
        return try await database.write { db in
            guard let row = try await db.fetchOne("""
                SELECT c.seq, c.state, c.priority, c.version, s.id FROM cases c JOIN submissions s ON s.seq = c.seq
                WHERE \(scope.clause("s.reference = ?"))\(db.dialect.forUpdate)
                """, scope.arguments([reference])) else { throw WorkflowError(reason: .unknownCase) }
            guard CaseState(rawValue: row["state"])?.isOpen ?? false else { throw WorkflowError(reason: .closed) }
            guard (row["version"] as Int64) == expectedVersion else { throw WorkflowError(reason: .caseChanged) }
            let seq: Int64 = row["seq"], at = now.millisecondsSince1970
            // One level change at a time: a second would leave the first waiting for ever, or be decided unseen.
            guard try await db.fetchOne("SELECT 1 FROM visits WHERE seq = ? AND state = 'pending'", [seq]) == nil
            else { throw WorkflowError(reason: .visitAwaitingApproval) }
            let previous = try await db.fetchOne("""
                SELECT economic, social, development FROM visits WHERE seq = ? AND state IN ('recorded', 'approved')
                ORDER BY id DESC LIMIT 1
                """, [seq]).map {
                DimensionScores(economic: Int($0["economic"] as Int64), social: Int($0["social"] as Int64),
                                development: Int($0["development"] as Int64))
            }
            let assessment = HomeVisitScoring.assess(input.answers, form: form, previous: previous)
            let current = HardshipLevel(priority: row["priority"])
            let state: VisitState = assessment.level == current ? .recorded : .pending
            let record = try self.sealer.seal(try JSONEncoder().encode(input), boundTo: UUID(uuidString: row["id"])!)
            guard let id: Int64 = try await db.fetchValue("""
                INSERT INTO visits (seq, form_version, visited_on, sealed_record, economic, social, development, emergency,
                                    level, from_level, state, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, [seq, form.version, input.visitedOn.millisecondsSince1970, record, assessment.triage.scores.economic,
                      assessment.triage.scores.social, assessment.triage.scores.development,
                      assessment.triage.isEmergency ? 1 : 0, assessment.level.rawValue, current.rawValue, state.rawValue,
                      actor, at]) else { throw CenterError(description: "the visit was not stored") }
            // A visit that keeps the level sets the next review now; one that changes it, on approval.
            let review: Int64? = state == .recorded
                ? HomeVisitScoring.nextReview(after: input.visitedOn, level: current, form: form).millisecondsSince1970 : nil
            try await db.execute("""
                UPDATE cases SET version = version + 1, next_review_at = COALESCE(?, next_review_at), updated_at = ?
                WHERE seq = ?
                """, [review, at, seq])
            let detail = "\(current.rawValue)>\(assessment.level.rawValue) \(state.rawValue)"
            try await Self.caseLine(db, seq: seq, state: row["state"], action: "visit", actor: actor, detail: detail, at: at)
            try await Self.audit(db, actor: actor, action: "visit", case: reference, detail: detail, at: now)
            return (id, assessment, state)
        }
    }

    /// A supervisor approves the case's pending visit (the case takes its
    /// level; a first contact still due is due by the new level's deadline,
    /// counted from now) or sends it back with a note.
    public func decideVisit(approve: Bool, note: String, on reference: String, by actor: String, role: StaffRole,
                            form: HomeVisitForm, street: String? = nil, now: Date = Date()) async throws {
        guard role == .supervisor else { throw WorkflowError(reason: .roleCannot) }
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve, trimmed.isEmpty { throw WorkflowError(reason: .noteRequired) }
        if trimmed.count > VisitInput.maxText { throw WorkflowError(reason: .noteTooLong(VisitInput.maxText)) }
        let scope = StreetScope(street: street)
        try await database.write { db in
            guard let row = try await db.fetchOne("""
                SELECT c.seq, c.state, c.first_contact_at, s.id FROM cases c JOIN submissions s ON s.seq = c.seq
                WHERE \(scope.clause("s.reference = ?"))\(db.dialect.forUpdate)
                """, scope.arguments([reference])) else { throw WorkflowError(reason: .unknownCase) }
            let seq: Int64 = row["seq"], at = now.millisecondsSince1970
            guard let visit = try await db.fetchOne("""
                SELECT id, level, from_level, visited_on FROM visits WHERE seq = ? AND state = 'pending' ORDER BY id DESC LIMIT 1
                """, [seq]) else { throw WorkflowError(reason: .noPendingVisit) }
            let level = HardshipLevel(rawValue: visit["level"]) ?? .yellow
            let sealed = trimmed.isEmpty ? nil : try self.sealer.seal(Data(trimmed.utf8), boundTo: UUID(uuidString: row["id"])!)
            try await db.execute("""
                UPDATE visits SET state = ?, decided_by = ?, decided_at = ?, sealed_decision_note = ? WHERE id = ?
                """, [approve ? VisitState.approved.rawValue : VisitState.sentBack.rawValue, actor, at, sealed,
                      visit["id"] as Int64])
            if approve {
                let due = (row["first_contact_at"] as Int64?) == nil
                    ? self.deadlines.due(level: level, from: now, timeZone: self.timeZone).millisecondsSince1970 : nil
                let review = HomeVisitScoring.nextReview(after: Date(milliseconds: visit["visited_on"]), level: level,
                                                         form: form).millisecondsSince1970
                try await db.execute("""
                    UPDATE cases SET priority = ?, due_at = COALESCE(?, due_at), next_review_at = ?, version = version + 1,
                        updated_at = ?
                    WHERE seq = ?
                    """, [level.priority, due, review, at, seq])
            } else {
                try await db.execute("UPDATE cases SET version = version + 1, updated_at = ? WHERE seq = ?", [at, seq])
            }
            let detail = "\(visit["from_level"] as String)>\(level.rawValue)"
            let action = approve ? "visit_approved" : "visit_sent_back"
            try await Self.caseLine(db, seq: seq, state: row["state"], action: action, actor: actor, detail: detail,
                                    note: sealed, at: at)
            try await Self.audit(db, actor: actor, action: action, case: reference, detail: detail, at: now)
        }
    }

    /// Visits waiting for a supervisor, oldest first (in `street`'s cases when given).
    public func pendingVisits(street: String? = nil, limit: Int = 50) async throws -> [PendingVisit] {
        let scope = StreetScope(street: street)
        return try await database.read { db in
            try await db.fetchAll("""
                SELECT s.reference, v.id, v.level, v.from_level, v.recorded_by, v.recorded_at
                FROM visits v JOIN cases c ON c.seq = v.seq JOIN submissions s ON s.seq = v.seq
                WHERE \(scope.clause("v.state = 'pending'")) ORDER BY v.recorded_at LIMIT ?
                """, scope.arguments() + [limit]).map { row in
                PendingVisit(caseReference: row["reference"], visitID: row["id"],
                             fromLevel: HardshipLevel(rawValue: row["from_level"]) ?? .yellow,
                             level: HardshipLevel(rawValue: row["level"]) ?? .yellow, recordedBy: row["recorded_by"],
                             recordedAt: Date(milliseconds: row["recorded_at"]))
            }
        }
    }

    /// A case's visits, oldest first, their records opened.
    func visits(_ db: any SQLConnection, seq: Int64, submission uuid: UUID) async throws -> [VisitEntry] {
        try await db.fetchAll("SELECT * FROM visits WHERE seq = ? ORDER BY id", [seq]).map { row in
            let record = try (row["sealed_record"] as Data?).map { try JSONDecoder().decode(
                VisitInput.self, from: try self.sealer.open($0, boundTo: uuid)) }
            let note = try (row["sealed_decision_note"] as Data?).map {
                String(decoding: try self.sealer.open($0, boundTo: uuid), as: UTF8.self)
            }
            return VisitEntry(
                id: row["id"], formVersion: row["form_version"], input: record,
                scores: DimensionScores(economic: Int(row["economic"] as Int64), social: Int(row["social"] as Int64),
                                        development: Int(row["development"] as Int64)),
                emergency: (row["emergency"] as Int64) == 1, level: HardshipLevel(rawValue: row["level"]) ?? .yellow,
                fromLevel: HardshipLevel(rawValue: row["from_level"]) ?? .yellow,
                state: VisitState(rawValue: row["state"]) ?? .recorded, recordedBy: row["recorded_by"],
                recordedAt: Date(milliseconds: row["recorded_at"]), decidedBy: row["decided_by"],
                decidedAt: (row["decided_at"] as Int64?).map(Date.init(milliseconds:)), decisionNote: note)
        }
    }

    /// A line of the case's timeline that does not move its state.
    static func caseLine(_ db: any SQLConnection, seq: Int64, state: String, action: String, actor: String,
                         detail: String, note: Data? = nil, at: Int64) async throws {
        try await db.execute("""
            INSERT INTO case_events (seq, at, actor, action, from_state, to_state, detail, sealed_note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [seq, at, actor, action, state, state, detail, note])
    }
}
