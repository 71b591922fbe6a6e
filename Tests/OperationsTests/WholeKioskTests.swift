import CentreTestSupport
import Foundation
import KioskConfig
import KioskStore
import TestSupport
import Testing

/// What a resident types in these tests; none of it may appear in any log,
/// status or metrics output.
enum Applicant {
    static let name = "欧阳明华"
    static let phone = "13912345678"
    static let residentID = "11010519491231002X"
    static let address = "武定路 1 弄 2 号"
    static let story = "腿脚不便独居"
    static var all: [String] { [name, phone, residentID, address, story, "139 1234 5678", "1391234"] }
}

/// The printer lab `scripts/test` starts (a private cupsd and ippeveprinter).
struct PrinterLab {
    let environment: [String: String]
    let queue: String

    static func fromEnvironment() -> PrinterLab? {
        let environment = ProcessInfo.processInfo.environment
        guard let server = environment["CUPS_SERVER"], let queue = environment["KIOSK_TEST_PRINTER_QUEUE"] else { return nil }
        // CUPS_SERVERROOT: where libcups reads the lab server's settings (its PreserveJobFiles).
        return PrinterLab(environment: ["CUPS_SERVER": server, "CUPS_SERVERROOT": environment["CUPS_SERVERROOT"] ?? ""]
                            .filter { !$0.value.isEmpty }, queue: queue)
    }
}

/// The resident's Chinese flow, key by key, to the receipt screen.
func askForHelp(on front: TmuxFront, questions: Int) throws -> String {
    try front.waitFor("社区救助自助申请")
    try front.keys("Enter")
    try front.waitFor("需要帮助的是谁")
    try front.keys("3")
    try front.waitFor("助餐服务")
    try front.keys("1")
    for number in 1...questions {
        try front.waitFor("\(number)/\(questions)")
        try front.keys("1")
    }
    try front.waitFor("同意并继续")
    try front.keys("1")
    for (label, text) in [("请问您怎么称呼", Applicant.name), ("我们打哪个电话", Applicant.phone)] {
        try front.waitFor(label)
        try front.type(text)
        try front.keys("Enter")
    }
    try front.waitFor("我们可以发短信告诉您办理进度吗")
    try front.keys("1")
    try front.waitFor("您的身份证号码")
    try front.type(Applicant.residentID)
    try front.keys("Enter")
    try front.waitFor("您住在哪个街道")
    try front.keys("1")
    try front.waitFor("武定居民区")
    try front.keys("2")
    for (label, text) in [("您的详细地址", Applicant.address), ("您家里一共几口人", "3"), ("还有什么想告诉我们", Applicant.story)] {
        try front.waitFor(label)
        try front.type(text)
        try front.keys("Enter")
    }
    try front.waitFor("请核对您的申请")
    try front.keys("1")
    return try front.waitFor("已收到您的申请")
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return try condition()
}

struct StatusOutput: Decodable {
    struct Role: Decodable { var up: Bool; var state: String; var pid: Int32? }
    struct Queue: Decodable { var queued: Int; var sending: Int; var dead: Int; var forwarded: Int; var oldestPendingSeconds: Int? }
    struct Centre: Decodable { var reachable: Bool; var state: String }
    struct Printer: Decodable { var queue: String; var state: String; var reasons: [String] }
    struct Disk: Decodable { var freeBytes: Int64; var totalBytes: Int64 }
    var overall: String
    var problems: [String]
    var kiosk: String
    var version: String
    var roles: [String: Role]
    var queue: Queue
    var lastForward: Date?
    var centre: Centre
    var printer: Printer
    var lastScreenRender: Date?
    var disk: Disk?

    static func decode(_ text: String) throws -> StatusOutput {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(StatusOutput.self, from: Data(text.utf8))
    }
}

/// The whole kiosk as a technician runs it: the front in a terminal with a
/// printer, the forwarder, a loopback centre; then status, metrics and logs.
@Suite(.serialized) struct WholeKioskTests {
    @Test func aRequestTravelsEndToEndAndStatusMetricsAndLogsTellWithoutPersonalData() async throws {
        let lab = PrinterLab.fromEnvironment()
        let centre = try CenterProcess(state: try temporaryFolder("centre"))
        let secret = try centre.addKiosk("JA0301")
        let front = try TmuxFront(
            configEdits: [
                ("kiosk.yaml", "centre_url: http://127.0.0.1:8740", "centre_url: http://127.0.0.1:\(centre.port)"),
                ("kiosk.yaml", "queue: kiosk-receipt", "queue: \(lab?.queue ?? "kiosk-receipt")"),
            ],
            frontArguments: lab == nil ? ["--no-printer"] : [], environment: lab?.environment ?? [:],
            centreKey: centre.publicKey)
        try writeSecret(secret + "\n", to: front.state.appendingPathComponent("credentials/centre.key"))
        let receiptScreen = try askForHelp(on: front, questions: shippedQuestionCount)

        let kiosk = front.kioskEnvironment.merging(lab?.environment ?? [:]) { $1 }
        let forwarder = try Subprocess([product("kioskd"), "forwarder"], environment: kiosk,
                                       output: front.folder.appendingPathComponent("forwarder.log"))
        let store = try front.openStore()
        #expect(try eventually { try store.queueSummary()[.forwarded] == 1 }, "the request reached the centre")
        if lab != nil {
            #expect(try eventually { try store.printJobCounts() == ["completed": 1] }, "the resident's copy printed, no other")
        }
        #expect(try eventually { try store.statuses().contains { $0.role == "centre" && $0.state == "reachable" } })

        // Status: everything up; ok when a printer is there.
        let status = try runToEnd([product("kioskctl"), "status", "--json"], environment: kiosk)
        let report = try StatusOutput.decode(status.stdout)
        #expect(report.roles["front"]?.up == true && report.roles["forwarder"]?.up == true)
        #expect(report.roles["forwarder"]?.pid == forwarder.pid)
        #expect(report.queue.forwarded == 1 && report.queue.queued == 0 && report.queue.dead == 0)
        #expect(report.queue.oldestPendingSeconds == nil)
        #expect(report.centre.reachable && report.lastForward != nil && report.lastScreenRender != nil)
        #expect(report.kiosk == "JA0301" && !report.version.isEmpty && (report.disk?.freeBytes ?? 0) > 0)
        if lab != nil {
            #expect(report.printer.state == "ready" || report.printer.state == "printing")
            #expect(report.overall == "ok" && status.status == 0, "\(report.problems)")
        } else {
            #expect(report.overall == "degraded" && status.status == 1, "no printer: \(report.problems)")
        }
        let text = try runToEnd([product("kioskctl"), "status"], environment: kiosk)
        #expect(text.stdout.contains("front        up") && text.stdout.contains("1 forwarded"))
        let metrics = try runToEnd([product("kioskctl"), "metrics"], environment: kiosk)
        #expect(metrics.status == 0)
        #expect(metrics.stdout.contains("kiosk_role_up{role=\"front\"} 1"))
        #expect(metrics.stdout.contains("kiosk_queue_requests{state=\"forwarded\"} 1"))
        #expect(metrics.stdout.contains("kiosk_centre_state{state=\"reachable\"} 1"))
        #expect(metrics.stdout.contains("kiosk_centre_state{state=\"unknown\"} 0"))
        let lint = try promtoolCheckMetrics(metrics.stdout)
        #expect(lint.status == 0, "promtool: \(lint.stdout)\(lint.stderr)")
        // The front's counters reach its file within its write interval (10 s).
        var counted = metrics
        #expect(try eventually(timeout: 15) {
            counted = try runToEnd([product("kioskctl"), "metrics"], environment: kiosk)
            return counted.stdout.contains("kiosk_submissions_total 1")
        }, "the front's counters: \(counted.stdout)")
        for series in ["kiosk_front_sessions_started_total 1", "kiosk_front_sessions_completed_total 1",
                       "kiosk_submit_duration_seconds_count 1"] {
            #expect(counted.stdout.contains(series), "\(series)")
        }
        // The centre counts the request it took, on the console's listener only.
        let centreMetrics = try httpGet(centre.consoleURL + "/metrics")
        #expect(centreMetrics.status == 200 && centreMetrics.body.contains("kiosk_center_intake_requests_total{outcome=\"created\"} 1"),
                "\(centreMetrics.body)")
        #expect(centreMetrics.body.contains("kiosk_center_open_cases{state=\"new\"} 1"))
        let centreLint = try promtoolCheckMetrics(centreMetrics.body)
        #expect(centreLint.status == 0, "promtool: \(centreLint.stdout)\(centreLint.stderr)")
        #expect(try httpGet("http://127.0.0.1:\(centre.port)/metrics").status == 404, "not on the kiosks' API")
        // The centre's fleet view hears what kioskctl status judged, in the heartbeat.
        let fleet = try #require(try await centre.openCentreStore().fleetKiosk("JA0301"))
        let heard = try #require(fleet.heartbeat?.health, "the heartbeat carries the kiosk's health")
        #expect(heard.roles["front"]?.up == true && heard.roles["forwarder"]?.up == true, "\(heard.roles)")
        #expect((heard.diskFreeBytes ?? 0) > 0 && heard.databaseCheck != "damaged")
        #expect(fleet.heartbeat?.intervalSeconds != nil && fleet.heartbeat?.version == report.version)
        #expect(fleet.health != .down && fleet.health != .silent, "\(fleet.problems)")
        #expect(abs(fleet.clockOffsetSeconds ?? 99) <= 2, "one machine, one clock")
        #expect(centreMetrics.body.contains("kiosk_up{kiosk=\"JA0301\",street=\"\"} 1"), "\(centreMetrics.body)")
        let health = try httpGet(centre.consoleURL + "/health")
        #expect(health.status == 200 && health.body.contains("\"database\":\"ok\""), "\(health.body)")

        // SIGTERM: the forwarder stops cleanly, and status calls the kiosk down.
        forwarder.signal(SIGTERM)
        forwarder.wait()
        #expect(forwarder.exitCode == 0)
        // Its counters were written as it stopped.
        let forwarderCounts = try runToEnd([product("kioskctl"), "metrics"], environment: kiosk).stdout
        #expect(forwarderCounts.contains("kiosk_forward_requests_total{outcome=\"forwarded\"} 1"), "\(forwarderCounts)")
        #expect(forwarderCounts.contains("kiosk_forward_posts_total{endpoint=\"heartbeat\"}"))
        #expect(try promtoolCheckMetrics(forwarderCounts).status == 0)
        let stopped = try runToEnd([product("kioskctl"), "status", "--json"], environment: kiosk)
        let afterStop = try StatusOutput.decode(stopped.stdout)
        #expect(stopped.status == 2 && afterStop.overall == "down")
        #expect(afterStop.roles["forwarder"]?.up == false && afterStop.roles["forwarder"]?.state == "stopped")
        #expect(afterStop.problems.contains("forwarder is down (stopped)"))

        // Logs: who and how bad, the receipt number, and nothing the resident typed.
        centre.stop()
        let number = try #require(try store.records(in: .forwarded).first?.receiptNumber)
        #expect(receiptScreen.contains(number))
        let frontLog = try String(contentsOf: front.log, encoding: .utf8)
        let forwarderLog = forwarder.text + forwarder.errorText
        let centreLog = (try? String(contentsOf: centre.log, encoding: .utf8)) ?? ""
        let centreErrors = (try? String(contentsOf: URL(fileURLWithPath: centre.log.path + ".err"), encoding: .utf8)) ?? ""
        #expect(frontLog.contains("request received") && frontLog.contains(number))
        for (name, log) in [("front", frontLog), ("forwarder", forwarder.errorText), ("centre", centreErrors)] {
            let lines = log.split(separator: "\n")
            #expect(!lines.isEmpty, "\(name) logged")
            // Not the journal here (no JOURNAL_STREAM): plain lines, the level in words.
            #expect(lines.allSatisfy {
                $0.range(of: #"^[a-z-]+: (trace|debug|info|notice|warning|error|critical): "#, options: .regularExpression) != nil
            }, "\(name): every line says who and how bad: \(lines.prefix(3))")
        }
        let everything = [frontLog, forwarderLog, centreLog, centreErrors, status.stdout, status.stderr, text.stdout,
                          metrics.stdout, counted.stdout, centreMetrics.body, stopped.stdout].joined(separator: "\n")
        for secret in Applicant.all {
            #expect(!everything.contains(secret), "personal data in the output: \(secret.prefix(2))…")
        }
    }
}

let shippedQuestionCount: Int = {
    try! ConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("kiosk-config")).assessment.questions.count
}()

/// `kioskd front --receipts-to DIR`: a developer's machine without CUPS
/// gets each receipt as a PDF file, and the screen says it printed.
@Suite struct ReceiptFolderTests {
    @Test func aRequestsReceiptsBecomePDFFilesInTheFolder() throws {
        let receipts = try temporaryFolder("receipts")
        let front = try TmuxFront(frontArguments: ["--receipts-to", receipts.path])
        let screen = try askForHelp(on: front, questions: shippedQuestionCount)
        let store = try front.openStore()
        let number = try #require(try store.records(in: .queued).first?.receiptNumber)
        #expect(screen.contains(number))
        #expect(try eventually { try store.printJobCounts() == ["completed": 1] }, "the resident's copy only, by default")
        let files = try FileManager.default.contentsOfDirectory(atPath: receipts.path).sorted()
        #expect(files.count == 1 && files.allSatisfy { $0.hasPrefix("\(number)-") && $0.hasSuffix(".pdf") }, "\(files)")
        #expect(!(try front.screen()).contains("中心留存联"))
        let resident = try #require(files.first { $0.contains("-resident-") })
        let text = try runToEnd(["/usr/bin/pdftotext", receipts.appendingPathComponent(resident).path, "-"]).stdout
        #expect(text.contains(number))
        #expect(try store.statuses().first { $0.role == "printer" }?.detail == "pdf-folder")
    }

    /// A district that prints the centre's copy at the kiosk: the resident is
    /// told what the second slip is and not to leave it behind.
    @Test func withTheCentreCopyOnTheScreenSaysWhatTheSecondSlipIs() throws {
        let receipts = try temporaryFolder("receipts")
        let front = try TmuxFront(configEdits: [("kiosk.yaml", "centre_copy: false", "centre_copy: true")],
                                  frontArguments: ["--receipts-to", receipts.path])
        _ = try askForHelp(on: front, questions: shippedQuestionCount)
        let store = try front.openStore()
        #expect(try eventually { try store.printJobCounts() == ["completed": 2] }, "both copies written")
        try front.waitFor("中心留存联")
        // The database holds the contact details sealed to the centre: the
        // centre copy was drawn from the front's memory of the request.
        let files = try FileManager.default.contentsOfDirectory(atPath: receipts.path)
        let centre = try #require(files.first { $0.contains("-centre-") }, "\(files)")
        let text = try runToEnd(["/usr/bin/pdftotext", receipts.appendingPathComponent(centre).path, "-"]).stdout
        #expect(text.contains(Applicant.name), "\(text)")
    }
}

/// Nothing at the kiosk can show a stored request's personal data: it is
/// sealed to the centre's key. The technician's tools say where to look
/// instead, and still work on the plain columns.
@Suite struct NoRevealAtTheKioskTests {
    @Test func queueShowAndExportNeverOpenPersonalData() throws {
        let front = try TmuxFront()
        let screen = try askForHelp(on: front, questions: shippedQuestionCount)
        let store = try front.openStore()
        let number = try #require(try store.records(in: .queued).first?.receiptNumber)
        #expect(screen.contains(number))
        let revealed = try runToEnd([product("kioskctl"), "queue", "show", number, "--reveal"],
                                    environment: front.kioskEnvironment)
        #expect(revealed.status == 1 && revealed.stderr.contains("sealed to the centre's public key"), "\(revealed.stderr)")
        #expect(!(revealed.stdout + revealed.stderr).contains(Applicant.name))

        // The forwarder's secret signs the bundle (no centre in this test: any secret).
        try writeSecret(String(repeating: "ab", count: 32) + "\n", to: front.state.appendingPathComponent("credentials/centre.key"))
        let bundle = front.folder.appendingPathComponent("export.json")
        let exported = try runToEnd([product("kioskctl"), "export", "--out", bundle.path],
                                    environment: front.kioskEnvironment)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains("exported 1 request"), "\(exported.stdout)")
        let opened = try front.openedSubmission(try #require(try store.records(in: .queued).first))
        #expect(opened.request.applicant.name == Applicant.name, "the centre's key opens what the kiosk cannot")
    }
}
