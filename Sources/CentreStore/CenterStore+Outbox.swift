import CentreConfig
import CentreMessages
import CentreWorkflow
import Foundation

/// The outbox of text messages to residents: a row queued in the same
/// transaction as the case change that causes it, only for a resident who
/// said yes and only while messages are on. A step waits `coalesce_seconds`
/// so that a burst (accepted, assigned) goes as one message with the latest
/// state: a later step supersedes a queued "received" or "assigned".
extension CenterStore {
    /// `allowed`: the case's `texts_allowed`, from the case row the caller locked.
    func queueMessage(_ kind: MessageKind, seq: Int64, allowed: Bool, detail: String? = nil, sealedText: Data? = nil,
                      actor: String, now: Date, delay: TimeInterval? = nil, in db: any SQLConnection) async throws {
        guard let messaging, allowed else { return }
        let at = now.millisecondsSince1970
        if kind == .assigned, try await db.fetchOne("""
            SELECT 1 FROM messages WHERE seq = ? AND kind = 'assigned' AND state != 'superseded'
            """, [seq]) != nil {
            return  // "an adviser is looking after it" is said once, not at each reassignment
        }
        if kind.coalesces {
            try await db.execute("""
                UPDATE messages SET state = 'superseded' WHERE seq = ? AND state = 'queued' AND kind IN ('received', 'assigned')
                """, [seq])
        }
        let wait = delay ?? (kind.coalesces ? Double(messaging.coalesceSeconds) : 0)
        try await db.execute("""
            INSERT INTO messages (seq, kind, detail, sealed_text, created_by, created_at, send_after, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')
            """, [seq, kind.rawValue, detail, sealedText, actor, at, now.addingTimeInterval(wait).millisecondsSince1970])
    }

    /// The messages a case change causes (the case's own steps; a referral's are queued where it moves).
    func queueMessages(for change: CaseChange, action: CaseAction, seq: Int64, allowed: Bool, actor: String, now: Date,
                       in db: any SQLConnection) async throws {
        guard messaging != nil, allowed else { return }
        switch action {
        case .assign:
            try await queueMessage(.assigned, seq: seq, allowed: true, actor: actor, now: now, in: db)
        case let .refer(partner, _, _, _):
            try await queueMessage(.referred, seq: seq, allowed: true, detail: partner, actor: actor, now: now, in: db)
        case let .close(outcome, _):
            switch outcome {
            case .duplicate: break
            case .helped, .referredConfirmed:
                try await queueMessage(.closedHelped, seq: seq, allowed: true, actor: actor, now: now, in: db)
                try await queueMessage(.followUp, seq: seq, allowed: true, actor: actor, now: now,
                                       delay: Double(messaging?.followUpAfterDays ?? 3) * 86_400, in: db)
            case .notEligible, .withdrawn, .unreachable:
                try await queueMessage(.closedOther, seq: seq, allowed: true, actor: actor, now: now, in: db)
            }
        case .markDuplicate:
            // A duplicate's resident hears of the case it joined, not twice.
            try await db.execute("UPDATE messages SET state = 'superseded' WHERE seq = ? AND state = 'queued'", [seq])
        default: break
        }
    }

    /// What a referral's move tells the resident.
    func queueMessages(forReferral change: ReferralChange, partner: String, seq: Int64, allowed: Bool, actor: String,
                       now: Date, in db: any SQLConnection) async throws {
        guard allowed else { return }
        switch change.to {
        case .accepted: try await queueMessage(.referralAccepted, seq: seq, allowed: true, detail: partner, actor: actor, now: now, in: db)
        case .completed: try await queueMessage(.helpDelivered, seq: seq, allowed: true, detail: partner, actor: actor, now: now, in: db)
        default: break
        }
    }
}
