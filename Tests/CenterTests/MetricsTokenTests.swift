import Foundation
import TestSupport
import Testing

/// `/metrics` on the console's listener: with the credential
/// `center-metrics.token`, only a scrape that presents it is answered.
@Suite(.serialized) struct MetricsTokenTests {
    @Test func withATokenOnlyAScrapeThatPresentsItReadsTheMetrics() throws {
        let state = try temporaryFolder("centre-metrics")
        let token = String(repeating: "5a", count: 32)
        let credentials = state.appendingPathComponent("credentials")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try writeSecret(token + "\n", to: credentials.appendingPathComponent("center-metrics.token"))
        let centre = try CenterProcess(state: state)
        let url = "\(centre.consoleURL)/metrics"
        #expect(try httpGet(url).status == 401)
        #expect(try httpGet(url, headers: ["Authorization": "Bearer " + String(repeating: "00", count: 32)]).status == 401)
        let scrape = try httpGet(url, headers: ["Authorization": "Bearer \(token)"])
        #expect(scrape.status == 200 && scrape.body.contains("kiosk_center_database_up 1"), "\(scrape.body.prefix(300))")
    }
}
