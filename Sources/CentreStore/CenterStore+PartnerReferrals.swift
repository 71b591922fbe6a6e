import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// What a partner organisation's staff read: their inbox and one referral,
/// and the adviser's list of referrals back from partners.
extension CenterStore {
    /// The partner's open referrals: the highest level first, then the
    /// oldest; at most `limit`. Overdue answers are marked by the page.
    public func partnerInbox(partner: String, limit: Int = 200) async throws -> [PartnerInboxRow] {
        try await database.read { db in
            try await db.fetchAll("""
                SELECT r.number, r.kind, r.state, r.created_at, r.answer_due_at, c.priority, s.programme, s.service
                FROM referrals r JOIN cases c ON c.seq = r.seq JOIN submissions s ON s.seq = r.seq
                WHERE r.partner = ? AND r.state IN (\(SharedSchema.openReferralStates))
                ORDER BY c.priority, r.created_at LIMIT ?
                """, [partner, limit]).map { row in
                PartnerInboxRow(number: row["number"], kind: HelpKind(rawValue: row["kind"]) ?? .service,
                                state: ReferralState(rawValue: row["state"]) ?? .requested,
                                level: HardshipLevel(priority: row["priority"]), programme: row["programme"],
                                service: row["service"], createdAt: Date(milliseconds: row["created_at"]),
                                answerDueAt: Date(milliseconds: row["answer_due_at"]))
            }
        }
    }

    /// Opens a referral for a partner's member of staff: nil unless it is
    /// their organisation's (another partner's number reads as unknown). The
    /// first opening marks it received; every look is in the access log, in
    /// the same transaction that reads the data. The ID number is there only
    /// when the adviser shared it and the resident's consent version is one
    /// of `idSharingConsents`.
    public func openReferral(_ number: String, viewer: String, partner: String, idSharingConsents: Set<String>,
                             now: Date = Date()) async throws -> PartnerReferralView? {
        try await database.write { db -> PartnerReferralView? in
            // Marks it received (a no-op once it is); one transaction with the look itself.
            do {
                _ = try await self.apply(.open, onReferral: number, by: viewer, as: .partner(id: partner), street: nil, now: now,
                                         in: db)
            } catch let error as WorkflowError {
                switch error.reason {
                case .unknownReferral: return nil
                case .referralClosed: break  // a settled referral is still theirs to read
                default: throw error
                }
            }
            guard let row = try await db.fetchOne("SELECT \(Self.partnerViewColumns) WHERE r.number = ? AND r.partner = ?",
                                                  [number, partner]) else { return nil }
            try await Self.audit(db, actor: viewer, action: "view_referral", case: row["reference"], detail: number, at: now)
            return try self.partnerView(row, idSharingConsents: idSharingConsents)
        }
    }

    /// The columns `partnerView` reads, joined as it expects.
    static let partnerViewColumns = """
        r.*, c.priority, s.reference, s.id AS submission, s.programme, s.service, s.sealed_body
        FROM referrals r JOIN cases c ON c.seq = r.seq JOIN submissions s ON s.seq = r.seq
        """

    /// What a partner may see of a referral row (`partnerViewColumns`).
    func partnerView(_ row: SQLRow, idSharingConsents: Set<String>) throws -> PartnerReferralView {
        let uuid = UUID(uuidString: row["submission"])!
        let submission = try openBody(row["sealed_body"], id: uuid)
        let open = { (data: Data?) throws -> String? in
            try data.map { String(decoding: try self.sealer.open($0, boundTo: uuid), as: UTF8.self) }
        }
        let shareID = row["share_id"] as Int64 == 1
            && submission.map { idSharingConsents.contains($0.consent.version) } ?? false
        return PartnerReferralView(
            number: row["number"], caseReference: row["reference"], kind: HelpKind(rawValue: row["kind"]) ?? .service,
            state: ReferralState(rawValue: row["state"]) ?? .requested,
            level: HardshipLevel(priority: row["priority"]), programme: row["programme"], service: row["service"],
            name: submission?.applicant.name, phone: submission?.applicant.phone,
            street: submission?.applicant.street, residentID: shareID ? submission?.applicant.residentId : nil,
            note: try open(row["sealed_note"]), referredBy: row["created_by"],
            createdAt: Date(milliseconds: row["created_at"]), answerDueAt: Date(milliseconds: row["answer_due_at"]),
            declineReason: (row["decline_reason"] as String?).flatMap(DeclineReason.init(rawValue:)),
            delivery: Self.delivery(row, what: try open(row["sealed_delivered_what"])),
            erased: submission == nil)
    }

    /// Referrals back with the adviser, on open cases: declined ones (until
    /// the case is referred again for that kind of help) and those the
    /// partner left unanswered past the deadline. Highest level first, then
    /// the oldest deadline. In `street`'s cases only, when given.
    public func returnedReferrals(street: String? = nil, now: Date = Date(), limit: Int = 50) async throws -> [ReturnedReferral] {
        let scope = StreetScope(street: street)
        return try await database.read { db in
            try await db.fetchAll("""
                SELECT r.number, r.partner, r.state, r.decline_reason, r.answer_due_at, c.priority, s.reference
                FROM referrals r JOIN cases c ON c.seq = r.seq JOIN submissions s ON s.seq = r.seq
                WHERE \(scope.clause("c.state != 'closed'"))
                  AND ((r.state = 'declined' AND NOT EXISTS (
                           SELECT 1 FROM referrals later WHERE later.seq = r.seq AND later.kind = r.kind AND later.id > r.id))
                       OR (r.state IN ('requested', 'received') AND r.answer_due_at < ?))
                ORDER BY c.priority, r.answer_due_at LIMIT ?
                """, scope.arguments() + [now.millisecondsSince1970, limit]).map { row in
                ReturnedReferral(number: row["number"], caseReference: row["reference"], partner: row["partner"],
                                 level: HardshipLevel(priority: row["priority"]),
                                 state: ReferralState(rawValue: row["state"]) ?? .declined,
                                 declineReason: (row["decline_reason"] as String?).flatMap(DeclineReason.init(rawValue:)),
                                 answerDueAt: Date(milliseconds: row["answer_due_at"]))
            }
        }
    }
}
