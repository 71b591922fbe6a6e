import Foundation
import GRDB
import IntakeProtocol
import KioskDomain

/// What a resident sees when checking a request at the kiosk.
public struct ReceiptProgress: Sendable, Equatable {
    /// Where the request stands on this kiosk.
    public enum Here: Sendable, Equatable {
        /// Still in this kiosk's queue: not yet sent to the centre.
        case waiting
        /// Handed to the centre at this time.
        case sent(Date)
        /// Set aside: the centre refused it; staff must look at it.
        case setAside
        /// Not a request of this kiosk (or long gone from it).
        case unknown
    }

    public var receiptNumber: ReceiptNumber
    public var here: Here
    /// The centre's steps, oldest first; a repeated state is shown once.
    public var steps: [ProgressChange]

    public init(receiptNumber: ReceiptNumber, here: Here, steps: [ProgressChange]) {
        self.receiptNumber = receiptNumber
        self.here = here
        self.steps = steps
    }
}

extension KioskStore {
    /// The last change from the centre this kiosk holds: the forwarder asks for those after it.
    public func progressCursor() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(centre_id) FROM progress") ?? 0 }
    }

    /// Keeps changes fetched from the centre; one seen before is ignored.
    public func recordProgress(_ changes: [ProgressChange]) throws(StoreError) {
        guard !changes.isEmpty else { return }
        try write { db in
            for change in changes {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO progress (centre_id, receipt_number, state, at, partner_zh, partner_en, outcome,
                                                    referral, delivered_on)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [change.id, change.receiptNumber.description, change.state.rawValue,
                                     change.at.wireMilliseconds,
                                     // A partner's name is the centre's words: shown on the kiosk's screen and
                                     // printed by kioskctl, so no control characters and a bounded length.
                                     change.partner?.chinese.sanitizedForDisplay(limit: 120),
                                     change.partner?.english.sanitizedForDisplay(limit: 120), change.outcome?.rawValue,
                                     change.referral?.step.rawValue, change.referral?.deliveredOn?.wireMilliseconds])
            }
        }
    }

    /// A receipt's progress: its state here and the centre's steps.
    public func progress(of receipt: ReceiptNumber) throws(StoreError) -> ReceiptProgress {
        let record = try record(receipt: receipt)
        let changes = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT centre_id, state, at, partner_zh, partner_en, outcome, referral, delivered_on FROM progress
                WHERE receipt_number = ? ORDER BY centre_id
                """, arguments: [receipt.description]).compactMap { row -> ProgressChange? in
                guard let state = ProgressState(rawValue: row["state"]) else { return nil }
                let partner: LocalizedText? = (row["partner_zh"] as String?).map {
                    LocalizedText(chinese: $0, english: row["partner_en"] ?? $0)
                }
                let referral = (row["referral"] as String?).flatMap(ReferralProgress.Step.init).map { step in
                    ReferralProgress(step: step, deliveredOn: (row["delivered_on"] as Int64?).map {
                        Date(timeIntervalSince1970: Double($0) / 1000)
                    })
                }
                return ProgressChange(id: row["centre_id"], receiptNumber: receipt, state: state,
                                      at: Date(timeIntervalSince1970: Double(row["at"] as Int64) / 1000),
                                      partner: partner, outcome: (row["outcome"] as String?).flatMap(ProgressOutcome.init),
                                      referral: referral)
            }
        }
        var steps: [ProgressChange] = []
        for change in changes {
            // A second referral names a new partner, a partner's answer is news; any other repeat adds nothing.
            if let last = steps.last, last.state == change.state, change.state != .referred, change.referral == nil {
                continue
            }
            steps.append(change)
        }
        let here: ReceiptProgress.Here = switch record?.state {
        case .queued?, .sending?: .waiting
        case .forwarded?: .sent(Date(timeIntervalSince1970: Double(record?.forwardedAt ?? 0) / 1000))
        case .dead?: .setAside
        case nil: .unknown
        }
        return ReceiptProgress(receiptNumber: receipt, here: here, steps: steps)
    }
}
