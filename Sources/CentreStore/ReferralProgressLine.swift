import CentreWorkflow
import Foundation
import IntakeProtocol

/// A partner's answer as a line of the case's timeline (`case_events`,
/// action `referral`): `detail` is `<partner> <step>` and, for a completion,
/// the delivery day in milliseconds. No reason, no note, nothing of the
/// delivery but its day: the line travels to the kiosk's progress door.
package struct ReferralProgressLine: Equatable {
    package var partner: String
    package var progress: ReferralProgress

    package init(partner: String, progress: ReferralProgress) {
        self.partner = partner
        self.progress = progress
    }

    /// The line a change makes; nil for a move a resident does not hear of from here
    /// (a start shows as "in service"; a cancellation is the adviser's to tell).
    package init?(partner: String, change: ReferralChange) {
        let step: ReferralProgress.Step
        switch change.to {
        case .received: step = .received
        case .accepted: step = .accepted
        case .declined: step = .declined
        case .completed: step = .completed
        case .requested, .inProgress, .cancelled: return nil
        }
        self.init(partner: partner, progress: ReferralProgress(step: step, deliveredOn: change.delivery?.on))
    }

    package init?(detail: String) {
        let parts = detail.split(separator: " ")
        guard parts.count >= 2, let step = ReferralProgress.Step(rawValue: String(parts[1])) else { return nil }
        let day = parts.count > 2 ? Int64(parts[2]).map(Date.init(milliseconds:)) : nil
        self.init(partner: String(parts[0]), progress: ReferralProgress(step: step, deliveredOn: day))
    }

    package var detail: String {
        "\(partner) \(progress.step.rawValue)" + (progress.deliveredOn.map { " \($0.millisecondsSince1970)" } ?? "")
    }
}
