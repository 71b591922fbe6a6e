import CentreStore
import Foundation

/// A moved request's referrals with their histories, its home visits, its
/// plan and its text messages with their replies, read from the street centre with its case and written with it at
/// the district: referrals numbered after the district's reference (a
/// renumbered case's referrals follow, and the plan items that are theirs),
/// every sealed part resealed with the district's key.
struct MovedReferrals {
    var referrals: [SQLRow]
    var events: [SQLRow]
    var visits: [SQLRow]
    var plans: [SQLRow]
    var messages: [SQLRow]
    var replies: [SQLRow]

    func of(_ seq: Int64) -> MovedReferrals {
        let mine = referrals.filter { ($0["seq"] as Int64) == seq }
        let ids = Set(mine.map { $0["id"] as Int64 })
        return MovedReferrals(referrals: mine, events: events.filter { ids.contains($0["referral_id"] as Int64) },
                              visits: visits.filter { ($0["seq"] as Int64) == seq },
                              plans: plans.filter { ($0["seq"] as Int64) == seq },
                              messages: messages.filter { ($0["seq"] as Int64) == seq },
                              replies: replies.filter { ($0["seq"] as Int64) == seq })
    }
}

extension CenterStore {
    func referralRows(_ db: any SQLConnection, seqFrom first: any SQLArgument,
                      through last: any SQLArgument) async throws -> MovedReferrals {
        MovedReferrals(
            referrals: try await db.fetchAll("SELECT * FROM referrals WHERE seq >= ? AND seq <= ? ORDER BY id", [first, last]),
            events: try await db.fetchAll("""
                SELECT e.* FROM referral_events e JOIN referrals r ON r.id = e.referral_id
                WHERE r.seq >= ? AND r.seq <= ? ORDER BY e.id
                """, [first, last]),
            visits: try await db.fetchAll("SELECT * FROM visits WHERE seq >= ? AND seq <= ? ORDER BY id", [first, last]),
            plans: try await db.fetchAll("SELECT * FROM plan_items WHERE seq >= ? AND seq <= ? ORDER BY id", [first, last]),
            messages: try await db.fetchAll("SELECT * FROM messages WHERE seq >= ? AND seq <= ? ORDER BY id", [first, last]),
            replies: try await db.fetchAll("SELECT * FROM message_replies WHERE seq >= ? AND seq <= ? ORDER BY id",
                                           [first, last]))
    }

    static func insertReferrals(_ moved: MovedReferrals, seq: Int64, reference: String,
                                reseal: (Data?) throws -> Data?, in db: any SQLConnection) async throws {
        var referralIDs: [Int64: Int64] = [:]  // the street centre's id → the district's
        for row in moved.referrals {
            let number = reference + "-" + ((row["number"] as String).split(separator: "-").last.map(String.init) ?? "1")
            guard let id: Int64 = try await db.fetchValue("""
                INSERT INTO referrals (number, seq, partner, kind, state, share_id, sealed_note, created_by, created_at,
                    answer_due_at, received_at, answered_at, decline_reason, sealed_decline_note, delivered_kind,
                    sealed_delivered_what, delivered_on, delivered_amount_cents, cancel_reason, closed_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, [number, seq, row["partner"] as String, row["kind"] as String, row["state"] as String,
                      row["share_id"] as Int64, try reseal(row["sealed_note"]), row["created_by"] as String,
                      row["created_at"] as Int64, row["answer_due_at"] as Int64, row["received_at"] as Int64?,
                      row["answered_at"] as Int64?, row["decline_reason"] as String?, try reseal(row["sealed_decline_note"]),
                      row["delivered_kind"] as String?, try reseal(row["sealed_delivered_what"]),
                      row["delivered_on"] as Int64?, row["delivered_amount_cents"] as Int64?,
                      row["cancel_reason"] as String?, row["closed_at"] as Int64?, row["updated_at"] as Int64])
            else { throw CenterError(description: "referral \(number) was not stored") }
            referralIDs[row["id"]] = id
            for event in moved.events where (event["referral_id"] as Int64) == (row["id"] as Int64) {
                try await db.execute("""
                    INSERT INTO referral_events (referral_id, at, actor, action, from_state, to_state, detail, sealed_note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, [id, event["at"] as Int64, event["actor"] as String, event["action"] as String,
                          event["from_state"] as String?, event["to_state"] as String, event["detail"] as String?,
                          try reseal(event["sealed_note"])])
            }
        }
        for visit in moved.visits {
            try await db.execute("""
                INSERT INTO visits (seq, form_version, visited_on, sealed_record, economic, social, development, emergency,
                    level, from_level, state, recorded_by, recorded_at, decided_by, decided_at, sealed_decision_note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [seq, visit["form_version"] as String, visit["visited_on"] as Int64, try reseal(visit["sealed_record"]),
                      visit["economic"] as Int64, visit["social"] as Int64, visit["development"] as Int64,
                      visit["emergency"] as Int64, visit["level"] as String, visit["from_level"] as String,
                      visit["state"] as String, visit["recorded_by"] as String, visit["recorded_at"] as Int64,
                      visit["decided_by"] as String?, visit["decided_at"] as Int64?, try reseal(visit["sealed_decision_note"])])
        }
        for item in moved.plans {
            let referral: Int64? = try (item["referral_id"] as Int64?).map { street in
                guard let district = referralIDs[street] else {
                    throw CenterError(description: "a plan item names a referral that did not move")
                }
                return district
            }
            try await db.execute("""
                INSERT INTO plan_items (seq, kind, sealed_what, assignee, referral_id, due_on, state, sealed_outcome_note,
                    created_by, created_at, closed_by, closed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [seq, item["kind"] as String, try reseal(item["sealed_what"]), item["assignee"] as String?, referral,
                      item["due_on"] as Int64, item["state"] as String, try reseal(item["sealed_outcome_note"]),
                      item["created_by"] as String, item["created_at"] as Int64, item["closed_by"] as String?,
                      item["closed_at"] as Int64?])
        }
    }

    /// Text messages keep their states (the district's sender sends what was
    /// still queued); replies follow their messages' new ids.
    static func insertMessages(_ moved: MovedReferrals, seq: Int64, reseal: (Data?) throws -> Data?,
                               in db: any SQLConnection) async throws {
        var messageIDs: [Int64: Int64] = [:]
        for message in moved.messages {
            guard let id: Int64 = try await db.fetchValue("""
                INSERT INTO messages (seq, kind, detail, sealed_text, created_by, created_at, send_after, state, attempts,
                    segments, sent_at, delivered_at, failed_at, status_detail, call_due_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, [seq, message["kind"] as String, message["detail"] as String?, try reseal(message["sealed_text"]),
                      message["created_by"] as String, message["created_at"] as Int64, message["send_after"] as Int64,
                      message["state"] as String, message["attempts"] as Int64, message["segments"] as Int64?,
                      message["sent_at"] as Int64?, message["delivered_at"] as Int64?, message["failed_at"] as Int64?,
                      message["status_detail"] as String?, message["call_due_at"] as Int64?])
            else { throw CenterError(description: "a text message was not stored") }
            messageIDs[message["id"]] = id
        }
        for reply in moved.replies {
            let message: Int64? = (reply["message_id"] as Int64?).flatMap { messageIDs[$0] }
            try await db.execute("""
                INSERT INTO message_replies (seq, message_id, received_at, sealed_text, answer) VALUES (?, ?, ?, ?, ?)
                """, [seq, message, reply["received_at"] as Int64, try reseal(reply["sealed_text"]), reply["answer"] as String?])
        }
    }
}
