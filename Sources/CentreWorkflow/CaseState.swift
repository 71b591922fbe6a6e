import CentreConfig
import Foundation

/// Where a case stands at the centre: received, then accepted (受理),
/// assigned to an adviser, the resident contacted, referred (转介) to a
/// partner, the service under way, and closed with an outcome.
public enum CaseState: String, Sendable, CaseIterable, Codable {
    case new
    case accepted
    case assigned
    case contacted
    case referred
    case inService = "in_service"
    case closed

    public var isOpen: Bool { self != .closed }

    /// Every move a case may make, and nothing else: the store's schema
    /// refuses any other change of state (`CenterMigrations`), so this list
    /// and that trigger must say the same.
    public static let legalMoves: Set<String> = [
        "new>accepted", "new>assigned",
        "accepted>assigned", "accepted>contacted", "accepted>referred", "accepted>in_service",
        "assigned>contacted", "assigned>referred", "assigned>in_service",
        "contacted>referred", "contacted>in_service",
        "referred>in_service", "in_service>referred",
        "new>closed", "accepted>closed", "assigned>closed", "contacted>closed", "referred>closed", "in_service>closed",
    ]

    public static func isLegal(from: CaseState, to: CaseState) -> Bool {
        legalMoves.contains("\(from.rawValue)>\(to.rawValue)")
    }
}

/// How a case ended.
public enum CaseOutcome: String, Sendable, CaseIterable, Codable {
    case helped
    case referredConfirmed = "referred_confirmed"
    case notEligible = "not_eligible"
    case withdrawn
    case unreachable
    case duplicate
}

/// What came of one attempt to reach the resident.
public enum ContactResult: String, Sendable, CaseIterable, Codable {
    case reached
    case noAnswer = "no_answer"
}

/// The kinds of staff account and what each may do.
public enum StaffRole: String, Sendable, CaseIterable, Codable {
    /// Takes cases on: reads them, contacts residents, refers and closes.
    case adviser
    /// An adviser who also assigns cases to others and reads the reports.
    case supervisor
    /// Reads the access log and the reports; never a resident's data.
    case auditor
    /// Looks after the kiosks: reads the fleet's health; never a request.
    case technician
    /// Works for a partner organisation: answers the referrals made to it,
    /// and sees of each only what helping the resident needs.
    case partner

    public var handlesCases: Bool { self == .adviser || self == .supervisor }
    public var readsReports: Bool { self == .supervisor || self == .auditor }
    public var readsAudit: Bool { self == .auditor }
    public var readsFleet: Bool { self == .technician || self == .supervisor }
    public var answersReferrals: Bool { self == .partner }
}

extension FirstContactDeadlines {
    /// An open case whose resident was not reached by its deadline.
    public static func isOverdue(state: CaseState, firstContactAt: Date?, dueAt: Date, now: Date) -> Bool {
        state.isOpen && firstContactAt == nil && dueAt < now
    }
}
