/// What one step of the flow means for the session counters: pure, so the
/// judgement (when a session starts, ends with a receipt, is wiped idle) is
/// tested without a terminal.
public enum SessionCount: Sendable, Hashable {
    case started, completed, wipedIdle

    /// - Parameters:
    ///   - event: what came in; `before`/`after` the step around `update`.
    ///   - effects: what `update` asked for (a wipe ends the session).
    public static func changes(event: FrontEvent, before: Step, after: Step, effects: [FrontEffect]) -> [SessionCount] {
        var changes: [SessionCount] = []
        if case .submitted = event, before == .submitting, after == .receipt { changes.append(.completed) }
        // Only the clock wipes an idle session; a wipe after the receipt or
        // a declined screen is the session's normal end.
        if case .tick = event, effects.contains(.wipeScreen), before != .receipt, before != .declined {
            changes.append(.wipedIdle)
        }
        if before == .welcome, after != .welcome { changes.append(.started) }
        return changes
    }
}
