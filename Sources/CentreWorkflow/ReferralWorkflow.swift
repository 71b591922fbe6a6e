import CentreConfig
import Foundation

/// What can be done to a referral once it exists.
public enum ReferralAction: Sendable, Equatable {
    /// The partner opened it (its page, its slip scanned): requested → received, else nothing.
    case open
    case accept
    case decline(DeclineReason, note: String)
    case start
    case complete(Delivery)
    case cancel(CancelReason, note: String)

    /// The name kept in the referral's history and the audit log.
    public var name: String {
        switch self {
        case .open: "referral_open"
        case .accept: "referral_accept"
        case .decline: "referral_decline"
        case .start: "referral_start"
        case .complete: "referral_complete"
        case .cancel: "referral_cancel"
        }
    }

    /// The free text it carries (sealed in the store), if any.
    public var note: String? {
        switch self {
        case let .decline(_, note), let .cancel(_, note): note
        case let .complete(delivery): delivery.what
        default: nil
        }
    }
}

/// Who acts on a referral: the referring centre's caseworkers, or the staff
/// of one partner organisation.
public enum ReferralActor: Sendable, Equatable {
    case caseworker(StaffRole)
    case partner(id: String)
}

/// One action's effect on a referral. `detail` goes into the history and
/// the audit log: a reason code or a kind, never free text.
public struct ReferralChange: Sendable, Equatable {
    public var from: ReferralState
    public var to: ReferralState
    public var detail: String?
    public var declineReason: DeclineReason?
    public var cancelReason: CancelReason?
    public var delivery: Delivery?
    /// The partner answered (accepted or declined) with this change.
    public var answers: Bool { from.awaitsAnswer && (to == .accepted || to == .declined) }
}

public enum ReferralWorkflow {
    /// The longest note on a referral, a decline or a cancellation, and the longest "what was delivered".
    public static let maxNoteLength = 500
    public static let maxDeliveryLength = 200
    /// A material delivery's largest amount: ¥1,000,000.00.
    public static let maxAmountCents = 100_000_000

    /// The change `action` by `actor` makes to a referral to `partner` now in
    /// `state`, or why it may not. Only the partner answers and delivers; only
    /// the referring centre's caseworkers cancel.
    public static func change(_ action: ReferralAction, state: ReferralState, partner: String,
                              actor: ReferralActor, now: Date) throws(WorkflowError) -> ReferralChange {
        switch (action, actor) {
        case (.cancel, .caseworker(let role)) where role.handlesCases: break
        case (.cancel, _): throw WorkflowError(reason: .roleCannot)
        case (_, .partner(let id)) where id == partner: break
        case (_, .partner): throw WorkflowError(reason: .unknownReferral)
        case (_, .caseworker): throw WorkflowError(reason: .roleCannot)
        }
        guard state.isOpen else { throw WorkflowError(reason: .referralClosed(state)) }
        var change = ReferralChange(from: state, to: state)
        func move(_ target: ReferralState) throws(WorkflowError) {
            guard ReferralState.isLegal(from: state, to: target) else {
                throw WorkflowError(reason: .referralNotAllowed(state))
            }
            change.to = target
        }
        func checkNote(_ note: String, required: Bool) throws(WorkflowError) {
            let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
            if required, trimmed.isEmpty { throw WorkflowError(reason: .noteRequired) }
            if note.count > maxNoteLength { throw WorkflowError(reason: .noteTooLong(maxNoteLength)) }
        }
        switch action {
        case .open:
            if state == .requested { try move(.received) }
        case .accept:
            try move(.accepted)
        case let .decline(reason, note):
            // "Other" says nothing by itself: the adviser needs the words.
            try checkNote(note, required: reason == .other)
            try move(.declined)
            change.declineReason = reason
            change.detail = reason.rawValue
        case .start:
            try move(.inProgress)
        case let .complete(delivery):
            let what = delivery.what.trimmingCharacters(in: .whitespacesAndNewlines)
            if what.isEmpty { throw WorkflowError(reason: .deliveryRequired) }
            if what.count > maxDeliveryLength { throw WorkflowError(reason: .noteTooLong(maxDeliveryLength)) }
            if let cents = delivery.amountCents, !(0...maxAmountCents).contains(cents) {
                throw WorkflowError(reason: .amountOutOfRange)
            }
            if delivery.amountCents != nil, delivery.kind != .material { throw WorkflowError(reason: .amountOutOfRange) }
            if delivery.on > now.addingTimeInterval(86_400) { throw WorkflowError(reason: .deliveredInFuture) }
            try move(.completed)
            change.delivery = Delivery(kind: delivery.kind, what: what, on: delivery.on, amountCents: delivery.amountCents)
            change.detail = delivery.kind.rawValue
        case let .cancel(reason, note):
            try checkNote(note, required: true)
            try move(.cancelled)
            change.cancelReason = reason
            change.detail = reason.rawValue
        }
        return change
    }

    /// A new referral's checks: the partner exists, gives this kind of help
    /// and takes this programme; a case has at most one open referral to a
    /// partner for a kind; the note fits.
    public static func checkNew(partner: Partner?, kind: HelpKind, programme: String, note: String,
                                openToSamePartnerAndKind: Bool) throws(WorkflowError) {
        guard let partner else { throw WorkflowError(reason: .unknownPartner) }
        guard partner.helps.contains(kind) else { throw WorkflowError(reason: .partnerDoesNotHelp(kind)) }
        guard partner.takes(programme: programme) else { throw WorkflowError(reason: .partnerDoesNotTakeProgramme) }
        if note.count > maxNoteLength { throw WorkflowError(reason: .noteTooLong(maxNoteLength)) }
        if openToSamePartnerAndKind { throw WorkflowError(reason: .alreadyReferred) }
    }
}
