import Foundation
import TestSupport
import Testing

/// The fleet view end to end: simulated kiosks send signed heartbeats to a
/// real `kiosk-center serve` over loopback (`Tests/Browser/fleet_browser_test.py`),
/// a technician reads them in Debian's headless Chromium, and the per-kiosk
/// series on `/metrics` are read by Prometheus's own parser (`promtool`).
@Suite(.serialized) struct FleetBrowserTests {
    static let python = ProcessInfo.processInfo.environment["KIOSK_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "needs scripts/test's Python with selenium and Chromium"))
    func aTechnicianSeesTheFleetWorstFirstAndASilentKiosk() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-fleet"))
        var secrets: [String] = []
        for (code, street, place) in [("JA0301", "nanjing-west", "武定路社区中心 一楼大厅"),
                                      ("JA0302", "nanjing-west", "南京西路街道办 服务大厅"),
                                      ("JA0303", "nanjing-west", "张家宅居民区 活动室"),
                                      ("JA0304", "jingan-temple", "静安寺街道 社区食堂"),
                                      ("JA0305", "jingan-temple", "华山路 为老服务中心"),
                                      ("JA0306", "jingan-temple", "愚园路 社区卫生站")] {
            secrets.append(code + "=" + (try centre.addKiosk(code, options: ["--street", street, "--place", place])))
        }
        let password = "correct horse battery"
        try centre.addStaff("li.adviser", role: "adviser", password: password)
        try centre.addStaff("zhao.super", role: "supervisor", password: password)
        try centre.addStaff("wu.tech", role: "technician", password: password)
        try centre.addStaff("he.tech", role: "technician", password: password, street: "nanjing-west")
        let shots = repositoryRoot.appendingPathComponent(".build/console-screenshots")
        let run = try runToEnd(
            [try #require(Self.python), repositoryRoot.appendingPathComponent("Tests/Browser/fleet_browser_test.py").path],
            environment: ["CONSOLE_URL": centre.consoleURL, "INTAKE_URL": "http://127.0.0.1:\(centre.port)",
                          "KIOSK_SECRETS": secrets.joined(separator: ","), "STAFF_PASSWORD": password,
                          "SCREENSHOTS": shots.path, "HOME": NSTemporaryDirectory(), "SE_OFFLINE": "true"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("fleet scenarios passed"))

        // The same fleet as Prometheus scrapes it: promtool parses and lints the text.
        let metrics = try httpGet(centre.consoleURL + "/metrics").body
        let lint = try promtoolCheckMetrics(metrics)
        #expect(lint.status == 0, "\(lint.stdout)\n\(lint.stderr)")
        for line in ["kiosk_up{kiosk=\"JA0301\",street=\"nanjing-west\"} 1",
                     "kiosk_up{kiosk=\"JA0304\",street=\"jingan-temple\"} 0",
                     "kiosk_health{kiosk=\"JA0303\",street=\"nanjing-west\"} 2",
                     "kiosk_health{kiosk=\"JA0304\",street=\"jingan-temple\"} 3",
                     "kiosk_printer_ready{kiosk=\"JA0302\",street=\"nanjing-west\"} 0",
                     "kiosk_printer_paper_out{kiosk=\"JA0302\",street=\"nanjing-west\"} 1",
                     "kiosk_street_oldest_red_pending_seconds{street=\"jingan-temple\"} 1500",
                     "kiosk_clock_refused{kiosk=\"JA0305\",street=\"jingan-temple\"} 1"] {
            #expect(metrics.contains(line + "\n"), "missing: \(line)")
        }
        #expect(metrics.contains("kiosk_last_heartbeat_timestamp_seconds{kiosk=\"JA0301\""))
        #expect(!metrics.contains("kiosk_oldest_red_pending_seconds"), "no series says which kiosk holds a red request")
        // The same judgement at the shell.
        let list = try centre.command(["kiosk", "list"]).stdout
        #expect(list.contains("JA0302  nanjing-west  secret #1  degraded") && list.contains("at 南京西路街道办 服务大厅"), "\(list)")
        #expect(list.contains("JA0304  jingan-temple  secret #1  silent"), "\(list)")
        centre.stop()
    }
}
