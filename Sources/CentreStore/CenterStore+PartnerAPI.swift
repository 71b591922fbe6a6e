import CentreConfig
import CentreWorkflow
import Foundation
import IntakeProtocol

/// What the partner API reads and writes: a partner system's secret, its
/// feed of referrals changed since a cursor, and its answers, each applied
/// exactly once by the answer id it chose.
extension CenterStore {
    /// A new secret for `partner`'s system (hex, shown once); a previous
    /// one stops working at once.
    public func rotatePartnerSecret(_ partner: String, actor: String = "command line", now: Date = Date()) async throws -> String {
        let secret = RequestSigner.newSecret()
        guard let bytes = [UInt8](hex: secret) else { throw CenterError(description: "a new secret could not be made") }
        try await database.write { db in
            let generation: Int = try await db.fetchValue(
                "SELECT COALESCE(MAX(generation), 0) FROM partner_secrets WHERE partner = ?", [partner]) ?? 0
            try await db.execute("UPDATE partner_secrets SET retired_at = ? WHERE partner = ? AND retired_at IS NULL",
                                 [now.millisecondsSince1970, partner])
            let sealed = try self.sealer.seal(Data(bytes), context: Self.partnerSecretContext(partner, generation + 1))
            try await db.execute("""
                INSERT INTO partner_secrets (partner, generation, sealed_secret, created_at) VALUES (?, ?, ?, ?)
                """, [partner, generation + 1, sealed, now.millisecondsSince1970])
            try await Self.audit(db, actor: actor, action: "partner_secret", detail: "\(partner) generation \(generation + 1)",
                                 at: now)
        }
        return secret
    }

    /// Shuts a partner's system out: no secret of its signs from now on.
    public func revokePartnerSecret(_ partner: String, actor: String = "command line", now: Date = Date()) async throws {
        try await database.write { db in
            let revoked = try await db.execute("""
                UPDATE partner_secrets SET retired_at = ? WHERE partner = ? AND retired_at IS NULL
                """, [now.millisecondsSince1970, partner])
            guard revoked == 1 else { throw CenterError(description: "partner \(partner) has no API secret") }
            try await Self.audit(db, actor: actor, action: "partner_revoked", detail: partner, at: now)
        }
    }

    /// The current secret of `partner`'s system; nil when it has none.
    public func partnerSecret(of partner: String) async throws -> [UInt8]? {
        try await database.read { db in
            guard let row = try await db.fetchOne("""
                SELECT generation, sealed_secret FROM partner_secrets WHERE partner = ? AND retired_at IS NULL
                """, [partner]) else { return nil }
            let generation: Int = row["generation"]
            return Array(try self.sealer.open(row["sealed_secret"], context: Self.partnerSecretContext(partner, generation),
                                              naming: "the API secret of partner \(partner) (generation \(generation))"))
        }
    }

    static func partnerSecretContext(_ partner: String, _ generation: Int) -> Data {
        Data("partner-secret.v1:\(partner):\(generation)".utf8)
    }

    /// `partner`'s referrals that changed after `cursor` (a referral's latest
    /// history line), oldest change first, each as the partner may see it;
    /// `cursor` of the page is where to ask next. Every referral returned is
    /// a look at a resident's data: one access-log line each, as `viewer`.
    public func partnerFeed(partner: String, after cursor: Int64, limit: Int, idSharingConsents: Set<String>,
                            viewer: String, now: Date = Date()) async throws -> PartnerFeedPage {
        try await database.write { db in
            let changed = try await db.fetchAll("""
                SELECT r.id, MAX(e.id) AS last FROM referral_events e JOIN referrals r ON r.id = e.referral_id
                WHERE r.partner = ? AND e.id > ? AND \(db.dialect.settledEventsCondition)
                GROUP BY r.id ORDER BY last LIMIT ?
                """, [partner, cursor, limit + 1])
            // The page's referrals in one read, in the feed's order.
            let ids = changed.prefix(limit).map { $0["id"] as Int64 }
            let rows = ids.isEmpty ? [] : try await db.fetchAll("""
                SELECT \(Self.partnerViewColumns) WHERE r.id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))
                """, ids)
            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as Int64, $0) })
            var views: [PartnerReferralView] = []
            for row in ids.compactMap({ byID[$0] }) {
                try await Self.audit(db, actor: viewer, action: "view_referral", case: row["reference"],
                                     detail: row["number"], at: now)
                views.append(try self.partnerView(row, idSharingConsents: idSharingConsents))
            }
            let next = changed.prefix(limit).last.map { $0["last"] as Int64 } ?? cursor
            return PartnerFeedPage(referrals: views, cursor: next, more: changed.count > limit)
        }
    }

    /// Applies a partner system's answer once: a resend of the same answer
    /// id with the same body is told the result again; with another body it
    /// is refused. The answer and its id are one transaction.
    public func answerReferral(_ action: ReferralAction, number: String, partner: String, answerID: String,
                               bodyDigest: String, actor: String, now: Date = Date()) async throws -> PartnerAnswerOutcome {
        try await database.write { db in
            if let held = try await db.fetchOne("""
                SELECT partner, number, body_digest, state FROM referral_answers WHERE answer_id = ?
                """, [answerID]) {
                guard (held["partner"] as String) == partner, (held["number"] as String) == number,
                      (held["body_digest"] as String) == bodyDigest else { return .conflict }
                return .repeated(ReferralState(rawValue: held["state"]) ?? .requested)
            }
            let change = try await self.apply(action, onReferral: number, by: actor, as: .partner(id: partner),
                                              street: nil, now: now, in: db)
            try await db.execute("""
                INSERT INTO referral_answers (answer_id, partner, number, body_digest, state, received_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [answerID, partner, number, bodyDigest, change.to.rawValue, now.millisecondsSince1970])
            return .applied(change.to)
        }
    }
}

/// One page of a partner's feed.
public struct PartnerFeedPage: Sendable, Equatable {
    public var referrals: [PartnerReferralView]
    public var cursor: Int64
    public var more: Bool
}

/// What became of a partner system's answer.
public enum PartnerAnswerOutcome: Sendable, Equatable {
    case applied(ReferralState)
    /// The answer id was seen before with this body: nothing was done again.
    case repeated(ReferralState)
    /// The answer id was seen before with another body or referral.
    case conflict
}
