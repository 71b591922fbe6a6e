import Foundation
import KioskDomain

/// Outcome evaluation (成效评估) of home visits: for each closed family, the
/// last visit against the first, summed per programme and street: how many
/// families moved down a level (less hardship), up, or stayed, and the
/// median change per dimension (in the form's weighted points; below zero is
/// less hardship).
public enum OutcomeEvaluation {
    /// One closed case's first and last counted visit.
    public struct Family: Sendable, Equatable {
        public var programme: String
        public var street: String
        public var first: (level: HardshipLevel, scores: DimensionScores)
        public var last: (level: HardshipLevel, scores: DimensionScores)

        public init(programme: String, street: String, first: (HardshipLevel, DimensionScores),
                    last: (HardshipLevel, DimensionScores)) {
            self.programme = programme
            self.street = street
            self.first = first
            self.last = last
        }

        public static func == (lhs: Family, rhs: Family) -> Bool {
            lhs.programme == rhs.programme && lhs.street == rhs.street && lhs.first == rhs.first && lhs.last == rhs.last
        }
    }

    public struct Group: Sendable, Equatable {
        public var programme: String
        public var street: String
        public var families: Int
        /// Toward green: red → yellow, yellow → green, red → green.
        public var movedDown: Int
        public var movedUp: Int
        public var medianChange: [KioskDomain.Dimension: Double]
    }

    /// Groups ordered by programme, then street.
    public static func evaluate(_ families: [Family]) -> [Group] {
        let grouped = Dictionary(grouping: families) { "\($0.programme)\u{1F}\($0.street)" }
        return grouped.values.map { members in
            Group(programme: members[0].programme, street: members[0].street, families: members.count,
                  movedDown: members.filter { $0.last.level.priority > $0.first.level.priority }.count,
                  movedUp: members.filter { $0.last.level.priority < $0.first.level.priority }.count,
                  medianChange: Dictionary(uniqueKeysWithValues: KioskDomain.Dimension.allCases.map { dimension in
                      (dimension, median(members.map { Double($0.last.scores[dimension] - $0.first.scores[dimension]) }))
                  }))
        }.sorted { ($0.programme, $0.street) < ($1.programme, $1.street) }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
