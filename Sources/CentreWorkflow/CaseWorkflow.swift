import CentreConfig
import Foundation

/// What staff can do to a case, and what each action changes: pure, so the
/// rules are tested without a database and the store only writes the result.
public enum CaseAction: Sendable, Equatable {
    case accept
    case assign(to: String)
    case recordContact(ContactResult)
    /// A new referral (转介) to a partner for one kind of help, with a note
    /// for the partner (sealed) and whether the partner may see the ID number.
    case refer(partner: String, kind: HelpKind, note: String, shareID: Bool)
    case startService
    /// Closes with an outcome and a short note (sealed, like the resident's data).
    case close(CaseOutcome, note: String)
    case markDuplicate(of: String)

    /// The name kept in the case's history and the audit log.
    public var name: String {
        switch self {
        case .accept: "accept"
        case .assign: "assign"
        case .recordContact: "contact"
        case .refer: "refer"
        case .startService: "start_service"
        case .close: "close"
        case .markDuplicate: "duplicate"
        }
    }
}

/// The parts of a case the rules look at.
public struct CaseSnapshot: Sendable, Equatable {
    public var state: CaseState
    public var assignee: String?
    public var unansweredAttempts: Int
    /// Its referrals still open (requested, received, accepted, in progress).
    public var openReferrals: Int
    /// Its referrals a partner completed.
    public var completedReferrals: Int

    public init(state: CaseState, assignee: String?, unansweredAttempts: Int, openReferrals: Int = 0,
                completedReferrals: Int = 0) {
        self.state = state
        self.assignee = assignee
        self.unansweredAttempts = unansweredAttempts
        self.openReferrals = openReferrals
        self.completedReferrals = completedReferrals
    }
}

/// One action's effect: the new state and what else the case row takes.
public struct CaseChange: Sendable, Equatable {
    public var from: CaseState
    public var to: CaseState
    public var assignee: String?
    public var partner: String?
    public var outcome: CaseOutcome?
    public var duplicateOf: String?
    public var contact: ContactResult?
    /// Kept in the history without personal data: a partner id, an outcome,
    /// an adviser's name, a contact result.
    public var detail: String?
    /// The number of the referral a refer action made (set by the store).
    public var referral: String?
}

public enum CaseWorkflow {
    /// The longest closing note, in characters.
    public static let maxNoteLength = 500

    /// The change `action` by `actor` (with `role`) makes to `snapshot`, or
    /// why it may not. `staffCanTakeCases` and `partnerExists` answer from
    /// the store and configuration.
    public static func change(
        _ action: CaseAction, on snapshot: CaseSnapshot, actor: String, role: StaffRole, rules: CaseRules,
        staffCanTakeCases: (String) -> Bool, partnerExists: (String) -> Bool
    ) throws(WorkflowError) -> CaseChange {
        guard role.handlesCases else { throw WorkflowError(reason: .roleCannot) }
        let state = snapshot.state
        guard state.isOpen else { throw WorkflowError(reason: .closed) }
        var change = CaseChange(from: state, to: state, assignee: snapshot.assignee)
        func move(_ target: CaseState) throws(WorkflowError) {
            guard CaseState.isLegal(from: state, to: target) else { throw WorkflowError(reason: .notAllowed(state)) }
            change.to = target
        }
        switch action {
        case .accept:
            try move(.accepted)
        case let .assign(adviser):
            guard adviser == actor || role == .supervisor else { throw WorkflowError(reason: .assignOthers) }
            guard staffCanTakeCases(adviser) else { throw WorkflowError(reason: .unknownStaff) }
            if state == .new || state == .accepted { try move(.assigned) }
            change.assignee = adviser
            change.detail = adviser
        case let .recordContact(result):
            guard state != .new else { throw WorkflowError(reason: .notAllowed(state)) }
            if result == .reached, state == .accepted || state == .assigned { try move(.contacted) }
            change.contact = result
            change.detail = result.rawValue
        case let .refer(partner, _, _, _):
            guard partnerExists(partner) else { throw WorkflowError(reason: .unknownPartner) }
            if state != .referred { try move(.referred) }
            change.partner = partner
            change.detail = partner
        case .startService:
            try move(.inService)
        case let .close(outcome, note):
            if outcome == .duplicate { throw WorkflowError(reason: .notAllowed(state)) }
            if note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw WorkflowError(reason: .noteRequired) }
            if note.count > maxNoteLength { throw WorkflowError(reason: .noteTooLong(maxNoteLength)) }
            if outcome == .unreachable, snapshot.unansweredAttempts < rules.unreachableAfterAttempts {
                throw WorkflowError(reason: .tooFewAttempts(rules.unreachableAfterAttempts))
            }
            // A case is not closed behind a partner's back: open referrals are cancelled first, with a reason.
            if snapshot.openReferrals > 0 { throw WorkflowError(reason: .openReferrals(snapshot.openReferrals)) }
            if outcome == .referredConfirmed, snapshot.completedReferrals == 0 {
                throw WorkflowError(reason: .noCompletedReferral)
            }
            try move(.closed)
            change.outcome = outcome
            change.detail = outcome.rawValue
        case let .markDuplicate(other):
            if snapshot.openReferrals > 0 { throw WorkflowError(reason: .openReferrals(snapshot.openReferrals)) }
            try move(.closed)
            change.outcome = .duplicate
            change.duplicateOf = other
            change.detail = other
        }
        return change
    }
}
