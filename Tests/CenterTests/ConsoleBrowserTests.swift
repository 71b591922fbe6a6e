import Foundation
import TestSupport
import Testing

/// The console in a real browser: `Tests/Browser/console_browser_test.py`
/// drives Debian's headless Chromium against a real `kiosk-center serve`.
/// `scripts/test` makes the Python environment (selenium) and names it in
/// KIOSK_TEST_PYTHON; screenshots are kept in .build/console-screenshots.
@Suite(.serialized) struct ConsoleBrowserTests {
    static let python = ProcessInfo.processInfo.environment["KIOSK_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "needs scripts/test's Python with selenium and Chromium"))
    func advisersSupervisorsAndAuditorsDoTheirWorkInABrowser() async throws {
        // Referral slips go to the printer lab's queue (cupsd and an IPP printer that keeps what it prints).
        let environment = ProcessInfo.processInfo.environment
        let queue = try #require(environment["KIOSK_TEST_PRINTER_QUEUE"], "needs scripts/test's printer lab")
        let spool = try #require(environment["KIOSK_TEST_PRINTER_SPOOL"])
        let config = try CenterProcess.configuration { file in
            file.replacingOccurrences(of: "# referral_slips:\n#   printer: centre-slips",
                                      with: "referral_slips:\n  printer: \(queue)\n#")
        }
        // Text messages on, to a gateway nobody answers: they wait in the outbox, as the case page shows.
        let messages = config.appendingPathComponent("messages.yaml")
        try (try String(contentsOf: messages, encoding: .utf8))
            .replacingOccurrences(of: "# gateway:\n#   sendsms_url: http://127.0.0.1:13013/cgi-bin/sendsms\n#   username: kiosk-centre\n#   callback_url: http://127.0.0.1:8740",
                                  with: "gateway:\n  sendsms_url: http://127.0.0.1:\(try freeTCPPort())/cgi-bin/sendsms\n  username: kiosk-centre\n  callback_url: http://127.0.0.1:9")
            .replacingOccurrences(of: "quiet_hours: {from: \"21:00\", until: \"08:00\"}\n", with: "")
            .write(to: messages, atomically: true, encoding: .utf8)
        let credentials = try temporaryFolder("centre-browser-credentials")
        try writeSecret("unused", to: credentials.appendingPathComponent("kannel-sendsms.password"))
        let centre = try CenterProcess(state: try temporaryFolder("centre-browser"),
                                       environment: ["CUPS_SERVER": try #require(environment["CUPS_SERVER"])],
                                       config: config, credentials: credentials)
        let secret = try centre.addKiosk("JA0301")
        let password = "correct horse battery"
        for (name, role) in [("li.adviser", "adviser"), ("sun.adviser", "adviser"), ("zhao.super", "supervisor"),
                             ("qian.audit", "auditor")] {
            try centre.addStaff(name, role: role, password: password)
        }
        try centre.addStaff("cf.staff", role: "partner", password: password, partner: "charity-foundation")
        try centre.addStaff("fu.staff", role: "partner", password: password, partner: "womens-federation")
        let shots = repositoryRoot.appendingPathComponent(".build/console-screenshots")
        let run = try runToEnd(
            [try #require(Self.python), repositoryRoot.appendingPathComponent("Tests/Browser/console_browser_test.py").path],
            environment: ["CONSOLE_URL": centre.consoleURL, "INTAKE_URL": "http://127.0.0.1:\(centre.port)",
                          "KIOSK_SECRET": secret, "STAFF_PASSWORD": password, "SCREENSHOTS": shots.path,
                          "PRINTER_SPOOL": spool,
                          // Read by the step where three days pass for a plan item (see there).
                          "CENTRE_DATABASE": centre.state.appendingPathComponent("center.sqlite").path,
                          "HOME": NSTemporaryDirectory(), "SE_OFFLINE": "true"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("browser scenarios passed"))
        centre.stop()
        // The centre's log holds references and names of staff, never what residents typed.
        let log = (try? String(contentsOf: URL(fileURLWithPath: centre.log.path + ".err"), encoding: .utf8)) ?? ""
        for secretText in ["张桂兰", "陈静", "13912345678", "11010519491231002X", "腿脚不便独居", "市慈善基金会已确认"] {
            #expect(!log.contains(secretText))
        }
    }
}
