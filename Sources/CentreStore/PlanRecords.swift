import CentreConfig
import CentreMessages
import CentreWorkflow
import Foundation
import KioskDomain

/// Whose a plan item is: an adviser's own, or a partner's through one of the
/// case's referrals (by its number).
public enum PlanOwner: Sendable, Equatable {
    case adviser(String)
    case referral(String)
}

/// What an adviser plans: one kind of help, what exactly, whose, by when.
public struct PlanItemInput: Sendable, Equatable {
    public var kind: HelpKind
    public var what: String
    public var owner: PlanOwner
    /// The day it is due (the start of that day where the centre is).
    public var dueOn: Date

    public init(kind: HelpKind, what: String, owner: PlanOwner, dueOn: Date) {
        self.kind = kind
        self.what = what
        self.owner = owner
        self.dueOn = dueOn
    }

    static let maxText = 300
}

public enum PlanItemState: String, Sendable, CaseIterable {
    case open
    case done
    case notDone = "not_done"
}

/// A plan item as the case page shows it, its words opened (nil once erased).
public struct PlanItem: Sendable, Equatable {
    public var id: Int64
    public var kind: HelpKind
    public var what: String?
    public var owner: PlanOwner
    /// The referral's state when a partner's item, for the adviser to judge it by.
    public var referralState: ReferralState?
    public var dueOn: Date
    public var state: PlanItemState
    public var note: String?
    public var createdBy: String
    public var createdAt: Date
    public var closedBy: String?
    public var closedAt: Date?

    /// Past its due day and not yet done or given up.
    public func isOverdue(today: Date) -> Bool { state == .open && dueOn < today }
}

/// Something the inbox asks to follow up: a plan item past its day, a
/// family's review visit due, or a resident a text message did not reach.
public struct FollowUp: Sendable, Equatable {
    public enum What: Sendable, Equatable {
        case planItem(id: Int64, kind: HelpKind, owner: PlanOwner)
        case review
        case callResident(messageID: Int64, kind: MessageKind)
    }

    public var caseReference: String
    public var level: HardshipLevel
    public var what: What
    public var dueAt: Date
}
