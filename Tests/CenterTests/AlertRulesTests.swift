import CentreOperations
@testable import CentreStore
import Foundation
import TestSupport
import Testing


/// docs/alerts.yaml, the example rules a district loads into Prometheus:
/// they parse, they fire when they should and not before (docs/alerts-test.yaml,
/// Prometheus's own rule tests), and every series they read is one the
/// centre exports.
@Suite struct AlertRulesTests {
    let docs = repositoryRoot.appendingPathComponent("docs")

    @Test func theRulesParseAndFireWhenTheyShould() throws {
        let check = try runToEnd(["/usr/bin/promtool", "check", "rules", docs.appendingPathComponent("alerts.yaml").path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("SUCCESS: 8 rules found"), "\(check.stdout)")
        let test = try runToEnd(["/usr/bin/promtool", "test", "rules", docs.appendingPathComponent("alerts-test.yaml").path])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
    }

    @Test func everySeriesTheRulesReadIsOneTheCentreExports() throws {
        let rules = try String(contentsOf: docs.appendingPathComponent("alerts.yaml"), encoding: .utf8)
        let expressions = rules.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("expr:") }
        let used = Set(expressions.flatMap { line in
            line.matches(of: /kiosk_[a-z_]+/).map { String($0.output) }
        })
        #expect(used.count >= 7, "\(used)")
        let gauges = CentreGauges(openCases: [:], overdueCases: 0, submissions: 0, kiosksEnrolled: 0, kiosksRevoked: 0)
        let exported = OperationsEndpoints.exposition(gauges, databaseUp: true) + OperationsEndpoints.fleetExposition([])
        for name in used {
            #expect(exported.contains("# TYPE \(name) gauge\n"), "\(name) is not exported")
        }
    }
}
