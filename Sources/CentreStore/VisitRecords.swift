import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain

/// What an adviser records of a home visit.
public struct VisitInput: Sendable, Equatable, Codable {
    /// The day of the visit.
    public var visitedOn: Date
    /// Who the adviser met (a few words: "the resident and her daughter").
    public var met: String
    public var answers: [AssessmentAnswer]
    public var note: String

    public init(visitedOn: Date, met: String, answers: [AssessmentAnswer], note: String) {
        self.visitedOn = visitedOn
        self.met = met
        self.answers = answers
        self.note = note
    }

    static let maxText = 500
}

/// Where a visit stands: kept as it was (the level did not change), waiting
/// for a supervisor, approved (the case took its level), or sent back.
public enum VisitState: String, Sendable, CaseIterable, Codable {
    case recorded
    case pending
    case approved
    case sentBack = "sent_back"
}

/// A visit as the case page shows it, its sealed record opened.
public struct VisitEntry: Sendable, Equatable {
    public var id: Int64
    public var formVersion: String
    public var input: VisitInput?
    public var scores: DimensionScores
    public var emergency: Bool
    public var level: HardshipLevel
    public var fromLevel: HardshipLevel
    public var state: VisitState
    public var recordedBy: String
    public var recordedAt: Date
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionNote: String?
}

/// One visit waiting in a supervisor's approvals.
public struct PendingVisit: Sendable, Equatable {
    public var caseReference: String
    public var visitID: Int64
    public var fromLevel: HardshipLevel
    public var level: HardshipLevel
    public var recordedBy: String
    public var recordedAt: Date
}
