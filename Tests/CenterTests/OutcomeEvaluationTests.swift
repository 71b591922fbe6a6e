import CentreWorkflow
import KioskDomain
import Testing

/// The outcome evaluation's pure sums: families grouped by programme and
/// street, moves counted by level, medians of odd and even counts.
@Suite struct OutcomeEvaluationTests {
    func family(_ programme: String, _ street: String, _ first: HardshipLevel, _ firstEconomic: Int,
                _ last: HardshipLevel, _ lastEconomic: Int, social: (Int, Int) = (0, 0)) -> OutcomeEvaluation.Family {
        OutcomeEvaluation.Family(programme: programme, street: street,
                                 first: (first, DimensionScores(economic: firstEconomic, social: social.0)),
                                 last: (last, DimensionScores(economic: lastEconomic, social: social.1)))
    }

    @Test func groupsCountMovesAndTakeTheMedianChange() {
        let groups = OutcomeEvaluation.evaluate([
            family("elderly", "nanjing-west", .red, 24, .yellow, 14, social: (6, 2)),
            family("elderly", "nanjing-west", .yellow, 12, .green, 2),
            family("elderly", "nanjing-west", .yellow, 12, .red, 26, social: (0, 8)),
            family("elderly", "jingan-temple", .yellow, 12, .yellow, 12),
            family("children", "nanjing-west", .green, 4, .green, 0),
            family("children", "nanjing-west", .yellow, 14, .green, 4),
        ])
        #expect(groups.map { "\($0.programme) \($0.street)" }
            == ["children nanjing-west", "elderly jingan-temple", "elderly nanjing-west"])
        let elderly = groups[2]
        #expect(elderly.families == 3 && elderly.movedDown == 2 && elderly.movedUp == 1)
        #expect(elderly.medianChange == [.economic: -10, .social: 0, .development: 0], "odd: the middle one")
        #expect(groups[0].medianChange[.economic] == -7, "even: the mean of the middle two (-10 and -4)")
        #expect(groups[1].movedDown == 0 && groups[1].movedUp == 0 && groups[1].medianChange[.economic] == 0)
        #expect(OutcomeEvaluation.evaluate([]).isEmpty)
    }
}
