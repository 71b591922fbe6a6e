import Foundation

/// How many typed progress look-ups this kiosk answers in a minute, across
/// sessions (a new session must not buy a guesser a fresh allowance). A
/// scanned receipt is not counted: its code proves itself.
public struct LookUpAllowance: Sendable {
    public static let perMinute = 10
    public static let window: Duration = .seconds(60)

    private var recent: [ContinuousClock.Instant] = []

    public init() {}

    /// nil when one more look-up may go ahead now (and it is counted), else
    /// the whole seconds until one may.
    public mutating func take(now: ContinuousClock.Instant) -> Int? {
        recent.removeAll { now - $0 >= Self.window }
        guard recent.count >= Self.perMinute, let oldest = recent.first else {
            recent.append(now)
            return nil
        }
        let wait = Self.window - (now - oldest)
        return max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
    }
}
