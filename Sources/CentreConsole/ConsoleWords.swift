import CentreWorkflow
import KioskDomain

/// The words for the values the pages name (a case's state and outcome, a
/// level, a kiosk's health), looked up by the value itself: every case of
/// each has its word in both tables (`ConsoleTextsTests`), and a table that
/// ever lacked one would show the value's name, never stop the page.
extension Dictionary where Key == String, Value == String {
    func word(for state: CaseState) -> String { self["state_\(state.rawValue)"] ?? state.rawValue }
    func word(for outcome: CaseOutcome) -> String { self["outcome_\(outcome.rawValue)"] ?? outcome.rawValue }
    func word(for level: HardshipLevel) -> String { self["level_\(level.rawValue)"] ?? level.rawValue }
    /// The inbox's short form ("红" / "Red").
    func shortWord(for level: HardshipLevel) -> String { self["level_short_\(level.rawValue)"] ?? level.rawValue }
    func word(for health: FleetHealth) -> String { self["health_\(health.rawValue)"] ?? health.rawValue }
}
