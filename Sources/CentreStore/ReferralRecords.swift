import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// One referral as the referring centre's case page shows it.
public struct ReferralRecord: Sendable, Equatable {
    public var number: String
    public var caseReference: String
    public var partner: String
    public var kind: HelpKind
    public var state: ReferralState
    public var shareID: Bool
    /// The adviser's note for the partner (opened).
    public var note: String?
    public var createdBy: String
    public var createdAt: Date
    public var answerDueAt: Date
    public var receivedAt: Date?
    public var answeredAt: Date?
    public var declineReason: DeclineReason?
    public var declineNote: String?
    public var delivery: Delivery?
    public var cancelReason: CancelReason?
    public var closedAt: Date?
    public var history: [ReferralEvent]

    /// Past its answer deadline with no answer.
    public func isOverdue(at now: Date) -> Bool { state.awaitsAnswer && answerDueAt < now }
    /// Back with the adviser: declined, or unanswered past its deadline.
    public func needsAdviser(at now: Date) -> Bool { state == .declined || isOverdue(at: now) }
}

/// One move in a referral's history.
public struct ReferralEvent: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var from: ReferralState?
    public var to: ReferralState
    public var detail: String?
}

/// What a partner's staff see of a referral to their organisation, and no
/// more: whom to help and how to reach them, what was asked for, the
/// adviser's note, the level. Never the resident's story, the kiosk answers,
/// other referrals, or the ID number unless the adviser shared it and the
/// resident's consent covers sharing it with partners.
public struct PartnerReferralView: Sendable, Equatable {
    public var number: String
    public var caseReference: String
    public var kind: HelpKind
    public var state: ReferralState
    public var level: HardshipLevel
    public var programme: String
    public var service: String
    public var name: String?
    public var phone: String?
    public var street: String?
    public var residentID: String?
    public var note: String?
    public var referredBy: String
    public var createdAt: Date
    public var answerDueAt: Date
    public var declineReason: DeclineReason?
    public var delivery: Delivery?
    /// The resident's data was erased after retention.
    public var erased: Bool
}

/// One line of a partner's inbox: no name, phone or note.
public struct PartnerInboxRow: Sendable, Equatable {
    public var number: String
    public var kind: HelpKind
    public var state: ReferralState
    public var level: HardshipLevel
    public var programme: String
    public var service: String
    public var createdAt: Date
    public var answerDueAt: Date

    public func isOverdue(at now: Date) -> Bool { state.awaitsAnswer && answerDueAt < now }
}

/// A referral back with the adviser: declined, or unanswered by its deadline.
public struct ReturnedReferral: Sendable, Equatable {
    public var number: String
    public var caseReference: String
    public var partner: String
    public var level: HardshipLevel
    public var state: ReferralState
    public var declineReason: DeclineReason?
    public var answerDueAt: Date
}
