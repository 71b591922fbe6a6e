import CentreConfig
import Foundation

/// Where one referral (转介) to one partner stands, after the FHIR SDOH
/// referral task: the adviser requests it; the partner opens it (received),
/// accepts or declines it (with a reason), starts and completes it (with
/// what was delivered); the adviser may cancel it while it is open (with a
/// reason). Declined, completed and cancelled are final.
public enum ReferralState: String, Sendable, CaseIterable, Codable {
    case requested
    case received
    case accepted
    case declined
    case inProgress = "in_progress"
    case completed
    case cancelled

    public var isOpen: Bool { !Self.final.contains(self) }
    public static let final: Set<ReferralState> = [.declined, .completed, .cancelled]
    /// Not yet accepted or declined: the partner's answer is still due.
    public var awaitsAnswer: Bool { self == .requested || self == .received }

    /// Every move a referral may make, and nothing else: the schema's
    /// trigger (`SharedSchema.referralMoves`) refuses any other, so the two
    /// lists must say the same (a test compares them).
    public static let legalMoves: Set<String> = [
        "requested>received", "requested>accepted", "requested>declined", "received>accepted", "received>declined",
        "accepted>in_progress", "accepted>completed", "in_progress>completed",
        "requested>cancelled", "received>cancelled", "accepted>cancelled", "in_progress>cancelled",
    ]

    public static func isLegal(from: ReferralState, to: ReferralState) -> Bool {
        legalMoves.contains("\(from.rawValue)>\(to.rawValue)")
    }
}

/// Why a partner declined: each has a consequence for the adviser (find
/// another partner, check eligibility, reach the resident again).
public enum DeclineReason: String, Sendable, CaseIterable, Codable {
    case noCapacity = "no_capacity"
    case notEligible = "not_eligible"
    case cannotReach = "cannot_reach"
    case other
}

/// Why the adviser withdrew a referral.
public enum CancelReason: String, Sendable, CaseIterable, Codable {
    case residentWithdrew = "resident_withdrew"
    case helpedElsewhere = "helped_elsewhere"
    case wrongPartner = "wrong_partner"
    case other
}

/// What a partner delivered when it completed a referral: the kind, what
/// (a few words, sealed like the resident's data), the day, and for
/// material help the amount in yuan-cents where it has one.
public struct Delivery: Sendable, Equatable {
    public var kind: HelpKind
    public var what: String
    public var on: Date
    public var amountCents: Int?

    public init(kind: HelpKind, what: String, on: Date, amountCents: Int? = nil) {
        self.kind = kind
        self.what = what
        self.on = on
        self.amountCents = amountCents
    }
}
