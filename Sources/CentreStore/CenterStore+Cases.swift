import CentreConfig
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain

extension CenterStore {
    // MARK: The inbox

    /// `FirstContactDeadlines.isOverdue` in SQL (the `cases_awaiting_contact`
    /// index serves it); its one argument is now.
    static let overdueCondition = "c.state != 'closed' AND c.first_contact_at IS NULL AND c.due_at < ?"

    /// Red first, then yellow, then green, each oldest first.
    public func inbox(_ filter: InboxFilter, pageSize: Int, now: Date = Date()) async throws -> InboxPage {
        var conditions: [String] = []
        var arguments: [any SQLArgument] = []
        switch filter.scope {
        case .open: conditions.append("c.state != 'closed'")
        case .all: break
        case let .state(state):
            conditions.append("c.state = ?")
            arguments.append(state.rawValue)
        }
        if let level = filter.level {
            conditions.append("c.priority = ?")
            arguments.append(level.priority)
        }
        if let street = filter.street {
            conditions.append("c.street = ?")
            arguments.append(street)
        }
        if let assignee = filter.assignee {
            if assignee.isEmpty {
                conditions.append("c.assignee IS NULL")
            } else {
                conditions.append("c.assignee = ?")
                arguments.append(assignee)
            }
        }
        if filter.overdueOnly {
            conditions.append(Self.overdueCondition)
            arguments.append(now.millisecondsSince1970)
        }
        let scope = StreetScope(street: filter.kioskStreet)
        conditions.append(contentsOf: scope.conditions)
        arguments = scope.arguments(arguments)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        // The open cases per level are counted anyway (the counts at the
        // top); when the filter is only "open" and perhaps a level, they are
        // the number of matches too, and a second pass over every case is spared.
        let countsAreMatches = filter.scope == .open && filter.street == nil && filter.assignee == nil
            && !filter.overdueOnly
        let (rows, matching, counts, overdue) = try await database.read { db in
            var counts: [HardshipLevel: Int] = [:]
            for row in try await db.fetchAll("""
                SELECT c.priority, COUNT(*) AS n FROM cases c
                WHERE \(scope.clause("c.state != 'closed'")) GROUP BY c.priority
                """, scope.arguments()) {
                counts[HardshipLevel(priority: row["priority"])] = row["n"]
            }
            let matching = countsAreMatches
                ? filter.level.map { counts[$0] ?? 0 } ?? counts.values.reduce(0, +)
                : try await db.fetchValue("SELECT COUNT(*) FROM cases c \(whereClause)", arguments) ?? 0
            let page = max(1, min(filter.page, (matching + pageSize - 1) / pageSize))
            let rows = try await db.fetchAll("""
                SELECT s.reference, s.receipt_number, s.id, s.programme, s.service, c.priority, c.street, c.created_at,
                       c.due_at, c.first_contact_at, c.assignee, c.state, c.sealed_reasons,
                       EXISTS (SELECT 1 FROM visits v WHERE v.seq = c.seq AND v.state = 'approved') AS visited
                FROM cases c JOIN submissions s ON s.seq = c.seq
                \(whereClause)
                ORDER BY c.priority, c.created_at LIMIT ? OFFSET ?
                """, arguments + [pageSize, (page - 1) * pageSize])
            let overdue: Int = try await db.fetchValue("""
                SELECT COUNT(*) FROM cases c WHERE \(scope.clause(Self.overdueCondition))
                """, scope.arguments([now.millisecondsSince1970])) ?? 0
            return (rows, matching, counts, overdue)
        }
        let pageCount = max(1, (matching + pageSize - 1) / pageSize)
        return InboxPage(rows: try rows.map(inboxRow), matching: matching, openByLevel: counts, overdue: overdue,
                         page: max(1, min(filter.page, pageCount)), pageCount: pageCount)
    }

    func inboxRow(_ row: SQLRow) throws -> InboxRow {
        InboxRow(reference: row["reference"], receiptNumber: row["receipt_number"],
                 level: HardshipLevel(priority: row["priority"]),
                 reasons: try openReasons(row["sealed_reasons"], id: row["id"]),
                 programme: row["programme"], service: row["service"], street: row["street"],
                 createdAt: Date(milliseconds: row["created_at"]), dueAt: Date(milliseconds: row["due_at"]),
                 firstContactAt: (row["first_contact_at"] as Int64?).map(Date.init(milliseconds:)),
                 assignee: row["assignee"], state: CaseState(rawValue: row["state"]) ?? .new,
                 levelFromVisit: row["visited"] as Bool)
    }

    func openReasons(_ sealed: Data?, id: String) throws -> [String] {
        guard let sealed, let uuid = UUID(uuidString: id) else { return [] }
        return String(decoding: try sealer.open(sealed, boundTo: uuid), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    // MARK: Finding a case

    /// The case a receipt number belongs to (the number carries its kiosk).
    /// Whoever scans a ticket learns which case it is; whether they may open
    /// it is the case page's to say.
    public func caseReference(receipt: ReceiptNumber) async throws -> String? {
        try await database.read { db in
            try await db.fetchValue("SELECT reference FROM submissions WHERE kiosk_code = ? AND receipt_number = ?",
                              [receipt.kioskCode, receipt.description])
        }
    }

    /// Who handles a case; nil when there is no such case.
    public func handling(ofCase reference: String) async throws -> CaseHandling? {
        try await database.read { db in
            try await db.fetchOne("""
                SELECT c.kiosk_street FROM cases c JOIN submissions s ON s.seq = c.seq WHERE s.reference = ?
                """, [reference]).map { CaseHandling(kioskStreet: $0["kiosk_street"]) }
        }
    }

    /// A street's staff see the cases of its kiosks only: the scope adds
    /// its condition to a query's own. Built into the SQL (not a `? IS NULL`
    /// test): PostgreSQL must know each parameter's type.
    struct StreetScope {
        var street: String?

        var conditions: [String] { street == nil ? [] : ["c.kiosk_street = ?"] }

        /// `conditions` and the street's, joined by AND.
        func clause(_ conditions: String...) -> String {
            (conditions + self.conditions).joined(separator: " AND ")
        }

        /// `arguments`, then the street's.
        func arguments(_ arguments: [any SQLArgument] = []) -> [any SQLArgument] {
            arguments + (street.map { [$0] } ?? [])
        }
    }

    // MARK: A case's page

    public enum Look: String, Sendable {
        /// The case page: the resident's data with the ID number masked.
        case view = "view_case"
        /// "Show full": the whole resident ID number.
        case revealID = "reveal_id"
    }

    /// Opens a case for `viewer`, writing the look to the access log in the
    /// same transaction that reads the data. nil when there is no such case
    /// (or none in `street`, the viewer's, when given).
    public func caseDetail(_ reference: String, viewer: String, look: Look = .view, street: String? = nil,
                           now: Date = Date()) async throws -> CaseDetail? {
        let scope = StreetScope(street: street)
        return try await database.write { db -> CaseDetail? in
            guard let row = try await db.fetchOne("""
                SELECT s.*, c.*, c.priority AS case_priority FROM cases c JOIN submissions s ON s.seq = c.seq WHERE \(scope.clause("s.reference = ?"))
                """, scope.arguments([reference])) else { return nil }
            try await Self.audit(db, actor: viewer, action: look.rawValue, case: reference, at: now)
            let id = UUID(uuidString: row["id"])!
            let timeline = try await db.fetchAll("SELECT * FROM case_events WHERE seq = ? ORDER BY id",
                                           [row["seq"] as Int64]).map { event in
                CaseEvent(at: Date(milliseconds: event["at"]), actor: event["actor"], action: event["action"],
                          from: (event["from_state"] as String?).flatMap(CaseState.init(rawValue:)),
                          to: CaseState(rawValue: event["to_state"]) ?? .new, detail: event["detail"],
                          note: try (event["sealed_note"] as Data?).map {
                              String(decoding: try self.sealer.open($0, boundTo: id), as: UTF8.self)
                          })
            }
            return CaseDetail(
                reference: reference, receiptNumber: row["receipt_number"], kioskCode: row["kiosk_code"],
                level: HardshipLevel(priority: row["case_priority"]),  // the case's, which a visit may have moved
                reasons: try self.openReasons(row["sealed_reasons"], id: row["id"]),
                programme: row["programme"], service: row["service"], street: row["street"],
                createdAt: Date(milliseconds: row["created_at"]), receivedAt: Date(milliseconds: row["received_at"]),
                dueAt: Date(milliseconds: row["due_at"]), state: CaseState(rawValue: row["state"]) ?? .new,
                assignee: row["assignee"],
                firstContactAt: (row["first_contact_at"] as Int64?).map(Date.init(milliseconds:)),
                unansweredAttempts: row["unanswered_attempts"], partner: row["partner"],
                outcome: (row["outcome"] as String?).flatMap(CaseOutcome.init(rawValue:)),
                duplicateOf: row["duplicate_of"], closedAt: (row["closed_at"] as Int64?).map(Date.init(milliseconds:)),
                submission: try self.openBody(row["sealed_body"], id: id), timeline: timeline,
                referrals: try await self.referrals(db, seq: row["seq"], reference: reference, submission: id),
                visits: try await self.visits(db, seq: row["seq"], submission: id), version: row["version"],
                nextReviewAt: (row["next_review_at"] as Int64?).map(Date.init(milliseconds:)),
                plan: try await self.planItems(db, seq: row["seq"], submission: id),
                textsAllowed: (row["texts_allowed"] as Int64) == 1, messages: try await self.messages(db, seq: row["seq"]),
                replies: try await self.replies(db, seq: row["seq"], submission: id))
        }
    }

    // MARK: Acting on a case

    /// Applies one action: the rules decide (`CaseWorkflow`), then the case
    /// row, its timeline line and the access-log line are written in one
    /// transaction. A closing note is sealed like the resident's data; a
    /// referral becomes a record of its own (`CaseChange.referral` names it).
    @discardableResult
    public func perform(_ action: CaseAction, on reference: String, by actor: String, role: StaffRole,
                        rules: CaseRules, partner: (String) -> Partner?, street: String? = nil,
                        now: Date = Date()) async throws -> CaseChange {
        let scope = StreetScope(street: street)
        return try await database.write { db -> CaseChange in
            // The case row is locked until this commits: two advisers acting
            // on one case through two centre processes act one after the other.
            guard let row = try await db.fetchOne("""
                SELECT c.seq, c.state, c.assignee, c.unanswered_attempts, c.texts_allowed, s.id, s.programme FROM cases c
                JOIN submissions s ON s.seq = c.seq
                WHERE \(scope.clause("s.reference = ?"))\(db.dialect.forUpdate)
                """, scope.arguments([reference])) else { throw WorkflowError(reason: .unknownCase) }
            let seq: Int64 = row["seq"]
            let referrals = try await db.fetchAll("SELECT partner, kind, state FROM referrals WHERE seq = ?", [seq])
            let referralStates = referrals.compactMap { ReferralState(rawValue: $0["state"]) }
            let snapshot = CaseSnapshot(state: CaseState(rawValue: row["state"]) ?? .new, assignee: row["assignee"],
                                        unansweredAttempts: row["unanswered_attempts"],
                                        openReferrals: referralStates.filter(\.isOpen).count,
                                        completedReferrals: referralStates.filter { $0 == .completed }.count)
            if case let .markDuplicate(other) = action {
                guard other != reference else { throw WorkflowError(reason: .duplicateOfItself) }
                // Within the actor's street: another street's case is not theirs to name (nor to learn exists).
                guard try await db.fetchOne("""
                    SELECT 1 FROM submissions s JOIN cases c ON c.seq = s.seq WHERE \(scope.clause("s.reference = ?"))
                    """, scope.arguments([other])) != nil
                else { throw WorkflowError(reason: .unknownCase) }
            }
            let workers = Set(try await db.fetchColumn("""
                SELECT username FROM staff WHERE disabled = 0 AND role IN ('adviser', 'supervisor')
                """) as [String])
            var change = try CaseWorkflow.change(action, on: snapshot, actor: actor, role: role, rules: rules,
                                                 staffCanTakeCases: workers.contains, partnerExists: { partner($0) != nil })
            let at = now.millisecondsSince1970
            let uuid = UUID(uuidString: row["id"])!
            if case let .refer(partnerID, kind, note, shareID) = action, let partner = partner(partnerID) {
                let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
                try ReferralWorkflow.checkNew(
                    partner: partner, kind: kind, programme: row["programme"], note: trimmed,
                    openToSamePartnerAndKind: referrals.contains {
                        $0["partner"] == partnerID && $0["kind"] == kind.rawValue
                            && (ReferralState(rawValue: $0["state"])?.isOpen ?? false)
                    })
                change.referral = try await Self.insertReferral(
                    db, seq: seq, reference: reference, partner: partner, kind: kind, shareID: shareID,
                    sealedNote: trimmed.isEmpty ? nil : try self.sealer.seal(Data(trimmed.utf8), boundTo: uuid),
                    actor: actor, timeZone: self.timeZone, at: now)
            }
            try await db.execute("""
                UPDATE cases SET state = ?, assignee = ?, partner = COALESCE(?, partner), outcome = ?, duplicate_of = ?,
                    closed_at = CASE WHEN ? = 'closed' THEN ? END,
                    first_contact_at = CASE WHEN ? = 1 AND first_contact_at IS NULL THEN ? ELSE first_contact_at END,
                    unanswered_attempts = unanswered_attempts + ?, updated_at = ?
                WHERE seq = ?
                """, [change.to.rawValue, change.assignee, change.partner, change.outcome?.rawValue,
                                 change.duplicateOf, change.to.rawValue, at, change.contact == .reached, at,
                                 change.contact == .noAnswer ? 1 : 0, at, seq])
            var sealedNote: Data?
            if case let .close(_, note) = action {
                sealedNote = try self.sealer.seal(Data(note.utf8), boundTo: uuid)
            }
            try await db.execute("""
                INSERT INTO case_events (seq, at, actor, action, from_state, to_state, detail, sealed_note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [seq, at, actor, action.name, change.from.rawValue, change.to.rawValue, change.detail,
                                 sealedNote])
            try await Self.audit(db, actor: actor, action: action.name, case: reference,
                                 detail: [change.detail, change.referral].compactMap { $0 }.joined(separator: " "), at: now)
            try await self.queueMessages(for: change, action: action, seq: seq, allowed: (row["texts_allowed"] as Int64) == 1,
                                         actor: actor, now: now, in: db)
            return change
        }
    }
}
