import CentreConfig
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain

/// Which cases an inbox page shows.
public struct InboxFilter: Sendable, Equatable {
    public enum Scope: Sendable, Equatable {
        case open
        case all
        case state(CaseState)
    }

    public var scope: Scope = .open
    public var level: HardshipLevel?
    public var street: String?
    /// An adviser's name, or "" for cases nobody has taken.
    public var assignee: String?
    public var overdueOnly = false
    public var page = 1
    /// Only cases from this street's kiosks: what a street's staff may see
    /// (set from their account, never from the page); nil: every street.
    public var kioskStreet: String?

    public init() {}
}

/// One line of the inbox: no name, phone, ID number or story.
public struct InboxRow: Sendable, Equatable {
    public var reference: String
    public var receiptNumber: String
    public var level: HardshipLevel
    public var reasons: [String]
    public var programme: String
    public var service: String
    public var street: String
    public var createdAt: Date
    public var dueAt: Date
    public var firstContactAt: Date?
    public var assignee: String?
    public var state: CaseState
    /// The level is a home visit's, approved (the reasons stay the kiosk's triage).
    public var levelFromVisit = false

    public func isOverdue(at now: Date) -> Bool {
        FirstContactDeadlines.isOverdue(state: state, firstContactAt: firstContactAt, dueAt: dueAt, now: now)
    }
}

public struct InboxPage: Sendable {
    public var rows: [InboxRow]
    /// Cases matching the filter, over all pages.
    public var matching: Int
    /// Open cases per level, and open cases past their first-contact deadline.
    public var openByLevel: [HardshipLevel: Int]
    public var overdue: Int
    public var page: Int
    public var pageCount: Int
}

/// A case as its page shows it, with the resident's data opened.
public struct CaseDetail: Sendable {
    public var reference: String
    public var receiptNumber: String
    public var kioskCode: String
    public var level: HardshipLevel
    public var reasons: [String]
    public var programme: String
    public var service: String
    public var street: String
    public var createdAt: Date
    public var receivedAt: Date
    public var dueAt: Date
    public var state: CaseState
    public var assignee: String?
    public var firstContactAt: Date?
    public var unansweredAttempts: Int
    public var partner: String?
    public var outcome: CaseOutcome?
    public var duplicateOf: String?
    public var closedAt: Date?
    /// nil once retention erased the resident's data.
    public var submission: IntakeSubmission?
    public var timeline: [CaseEvent]
    /// Its referrals, oldest first, each with its history.
    public var referrals: [ReferralRecord] = []
    /// Its home visits, oldest first.
    public var visits: [VisitEntry] = []
    /// Rises with every visit and decision: a visit form carries the version it was opened at.
    public var version: Int64 = 0
    /// When the family is next visited (set by a visit).
    public var nextReviewAt: Date?
    /// Its plan's items, oldest first.
    public var plan: [PlanItem] = []
    /// The resident said yes to text messages at the kiosk.
    public var textsAllowed = false
    /// The text messages to the resident, oldest first, and their replies.
    public var messages: [MessageRecord] = []
    public var replies: [MessageReply] = []

    public func isOverdue(at now: Date) -> Bool {
        FirstContactDeadlines.isOverdue(state: state, firstContactAt: firstContactAt, dueAt: dueAt, now: now)
    }
}

/// One line of a case's timeline.
public struct CaseEvent: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var from: CaseState?
    public var to: CaseState
    public var detail: String?
    public var note: String?
}

/// Who handles a case: the centre of the street its kiosk stands in.
public struct CaseHandling: Sendable, Equatable {
    /// nil: its kiosk has no street (a street centre's own, before a district).
    public var kioskStreet: String?
}
