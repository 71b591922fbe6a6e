import CentreConfig
import Foundation

/// Why an action was refused, in words for the page (never personal data).
public struct WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case closed
        case notAllowed(CaseState)
        case roleCannot
        case assignOthers
        case unknownStaff
        case unknownPartner
        case tooFewAttempts(Int)
        case noteRequired
        case noteTooLong(Int)
        case duplicateOfItself
        case unknownCase
        case openReferrals(Int)
        case noCompletedReferral
        case unknownReferral
        case referralClosed(ReferralState)
        case referralNotAllowed(ReferralState)
        case partnerDoesNotHelp(HelpKind)
        case partnerDoesNotTakeProgramme
        case alreadyReferred
        case deliveryRequired
        case amountOutOfRange
        case deliveredInFuture
        case visitAnswerUnknown
        case visitIncomplete(Int)
        case caseChanged
        case noPendingVisit
        case visitAwaitingApproval
        case planWhatRequired
        case planDueInPast
        case unknownPlanItem
        case planItemClosed
        case planNoteRequired
        case textsOff
        case textRequired
        case textsNotAllowed
        case textTooLong(segments: Int, most: Int)
    }

    public let reason: Reason

    public init(reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .closed: "this case is closed"
        case let .notAllowed(state): "not possible while the case is \(state.rawValue)"
        case .roleCannot: "your role cannot do this"
        case .assignOthers: "only a supervisor assigns cases to someone else"
        case .unknownStaff: "no active adviser of that name"
        case .unknownPartner: "no partner of that name"
        case let .tooFewAttempts(needed): "close as unreachable only after \(needed) unanswered attempts"
        case .noteRequired: "a closing note is needed"
        case let .noteTooLong(limit): "the closing note is longer than \(limit) characters"
        case .duplicateOfItself: "a case cannot duplicate itself"
        case .unknownCase: "no case with that reference"
        case let .openReferrals(count): "\(count) referral(s) still open: cancel them (with a reason) before closing"
        case .noCompletedReferral: "\"referral confirmed\" needs a referral the partner completed"
        case .unknownReferral: "no referral with that number"
        case let .referralClosed(state): "this referral is already \(state.rawValue)"
        case let .referralNotAllowed(state): "not possible while the referral is \(state.rawValue)"
        case let .partnerDoesNotHelp(kind): "this partner gives no \(kind.rawValue) help"
        case .partnerDoesNotTakeProgramme: "this partner takes no referrals for the case's programme"
        case .alreadyReferred: "an open referral to this partner for this kind of help exists"
        case .deliveryRequired: "say what was delivered"
        case .amountOutOfRange: "an amount is for material help only, between 0 and 1,000,000"
        case .deliveredInFuture: "the day of delivery is in the future"
        case .visitAnswerUnknown: "an answer names a question or option the form does not have, or a question twice"
        case let .visitIncomplete(count): "\(count) question(s) of the form are not answered"
        case .caseChanged: "the case changed since you opened it: look at it again, then record the visit"
        case .noPendingVisit: "no visit of this case waits for approval"
        case .visitAwaitingApproval: "a visit of this case waits for a supervisor's approval: it is decided first"
        case .planWhatRequired: "say what the help is"
        case .planDueInPast: "the due day is already past"
        case .unknownPlanItem: "no such item in this case's plan"
        case .planItemClosed: "this plan item is already marked done or not done"
        case .planNoteRequired: "say why it was not done"
        case .textsOff: "text messages are off at this centre (messages.yaml has no gateway)"
        case .textRequired: "write the message first"
        case .textsNotAllowed: "the resident did not agree to text messages"
        case let .textTooLong(segments, most): "the message takes \(segments) text messages; at most \(most)"
        }
    }
}
