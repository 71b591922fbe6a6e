import Foundation
import KioskDomain

/// What became of a kiosk's requests at the centre, fetched by the kiosk's
/// forwarder so a resident can check progress at the kiosk
/// (`POST /api/v1/kiosks/{code}/progress`, signed like every call).
///
/// Only the receipt number, the state, its time, a partner's name and a
/// closed case's outcome travel: never a name, a note or an adviser.
public struct ProgressQuery: Codable, Sendable, Equatable {
    public var kioskCode: String
    /// The last change the kiosk holds (0: none); changes after it come back.
    public var after: Int64
    public var limit: Int

    public static let maxLimit = 500

    public init(kioskCode: String, after: Int64, limit: Int = ProgressQuery.maxLimit) {
        self.kioskCode = kioskCode
        self.after = after
        self.limit = limit
    }

    public func encoded() throws -> Data { try IntakeSubmission.encoder.encode(self) }
    public static func decode(_ data: Data) throws -> ProgressQuery {
        try IntakeSubmission.decoder.decode(ProgressQuery.self, from: data)
    }
}

/// One step of a request at the centre.
public struct ProgressChange: Codable, Sendable, Equatable {
    /// The centre's number for this change: increasing, the kiosk's cursor.
    public var id: Int64
    public var receiptNumber: ReceiptNumber
    public var state: ProgressState
    public var at: Date
    /// The organisation a request was referred to (`referred` only).
    public var partner: LocalizedText?
    /// How a request ended (`closed` only).
    public var outcome: ProgressOutcome?
    /// A partner's answer to a referral (`partner` names it); `state` is then the case's, unchanged.
    /// A kiosk from before referrals had answers ignores it.
    public var referral: ReferralProgress?

    public init(id: Int64, receiptNumber: ReceiptNumber, state: ProgressState, at: Date,
                partner: LocalizedText? = nil, outcome: ProgressOutcome? = nil, referral: ReferralProgress? = nil) {
        self.id = id
        self.receiptNumber = receiptNumber
        self.state = state
        self.at = at
        self.partner = partner
        self.outcome = outcome
        self.referral = referral
    }
}

/// A partner's answer to a referral as the resident hears of it: it has the
/// referral, took it on, could not help (never why, nor the partner's note),
/// or delivered help on a day.
public struct ReferralProgress: Codable, Sendable, Equatable {
    public enum Step: String, Codable, Sendable, CaseIterable {
        case received, accepted, declined, completed
    }

    public var step: Step
    /// The day help was delivered (`completed` only).
    public var deliveredOn: Date?

    public init(step: Step, deliveredOn: Date? = nil) {
        self.step = step
        self.deliveredOn = deliveredOn
    }
}

/// The centre's case states as a resident hears of them.
public enum ProgressState: String, Codable, Sendable, CaseIterable {
    case received, accepted, assigned, contacted, referred
    case inService = "in_service"
    case closed
}

/// How a closed request ended.
public enum ProgressOutcome: String, Codable, Sendable, CaseIterable {
    case helped
    case referredConfirmed = "referred_confirmed"
    case notEligible = "not_eligible"
    case withdrawn, unreachable, duplicate
}

/// The centre's answer: changes in order, and the cursor to ask after next.
public struct ProgressPage: Codable, Sendable, Equatable {
    public var changes: [ProgressChange]
    /// True when more changes wait: ask again at once.
    public var more: Bool

    public init(changes: [ProgressChange], more: Bool) {
        self.changes = changes
        self.more = more
    }

    public func encoded() throws -> Data { try IntakeSubmission.encoder.encode(self) }
    public static func decode(_ data: Data) throws -> ProgressPage {
        try IntakeSubmission.decoder.decode(ProgressPage.self, from: data)
    }
}
