import CentreOperations

/// How much the intake API takes from one kiosk and from one address.
public struct IntakeLimits: Sendable {
    /// Requests one kiosk may send once it has proved itself: a backlog of
    /// days at the forwarder's full speed, then a steady rate far above what
    /// a kiosk's residents make, a share of what the centre takes.
    public var perKiosk: RateLimiter.Rule
    /// Failed authentications (unknown kiosk, bad signature, stale clock)
    /// from one peer address: a kiosk with a skewed clock stays well inside
    /// it; a guesser or a flood of junk is answered 429 before any work.
    public var failuresPerAddress: RateLimiter.Rule

    public init(perKiosk: RateLimiter.Rule, failuresPerAddress: RateLimiter.Rule) {
        self.perKiosk = perKiosk
        self.failuresPerAddress = failuresPerAddress
    }

    public static let standard = IntakeLimits(perKiosk: .init(burst: 10_000, perSecond: 1_000),
                                              failuresPerAddress: .init(burst: 30, perSecond: 0.5))
}
