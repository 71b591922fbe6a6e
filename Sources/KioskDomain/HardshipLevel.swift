/// The needs assessment sorts a household into high, medium or low hardship,
/// flagged red, yellow and green, so that the most urgent are served first.
public enum HardshipLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case red, yellow, green

    /// Lower serves first: the forwarder and the centre order by this.
    public var priority: Int {
        switch self {
        case .red: 0
        case .yellow: 1
        case .green: 2
        }
    }

    public static func < (lhs: HardshipLevel, rhs: HardshipLevel) -> Bool {
        lhs.priority < rhs.priority
    }
}
