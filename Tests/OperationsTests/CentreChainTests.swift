import Foundation
import TestSupport
import Testing

/// The whole chain, as people meet it: a resident asks for help on the
/// kiosk's screen (tmux), the receipt prints (a PDF), the forwarder carries
/// the request to a real centre, and an adviser scans the printed QR code in
/// a browser: the case opens.
@Suite(.serialized) struct CentreChainTests {
    static let python = ProcessInfo.processInfo.environment["KIOSK_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "needs scripts/test's Python with selenium and Chromium"))
    func anAdviserOpensTheCaseByScanningTheReceiptPrintedAtTheKiosk() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-chain"))
        let secret = try centre.addKiosk("JA0301")
        let password = "correct horse battery"
        try centre.addStaff("li.adviser", role: "adviser", password: password)
        let receipts = try temporaryFolder("chain-receipts")
        let front = try TmuxFront(
            configEdits: [("kiosk.yaml", "centre_url: http://127.0.0.1:8740", "centre_url: http://127.0.0.1:\(centre.port)")],
            frontArguments: ["--receipts-to", receipts.path], centreSecret: secret, centreKey: centre.publicKey)
        _ = try askForHelp(on: front, questions: shippedQuestionCount)
        let forwarder = try Subprocess([product("kioskd"), "forwarder"], environment: front.kioskEnvironment,
                                       output: front.folder.appendingPathComponent("forwarder.log"))
        let store = try front.openStore()
        #expect(try eventually { try store.queueSummary()[.forwarded] == 1 }, "the request reached the centre")
        forwarder.signal(SIGTERM)
        forwarder.wait()
        let number = try #require(try store.records(in: .forwarded).first?.receiptNumber)

        // The resident's slip: its QR code as a scanner reads it.
        #expect(try eventually { (try? FileManager.default.contentsOfDirectory(atPath: receipts.path))?
            .contains { $0.contains("-resident-") } == true })
        let slip = try #require(try FileManager.default.contentsOfDirectory(atPath: receipts.path)
            .first { $0.contains("-resident-") && $0.hasSuffix(".pdf") })
        let image = receipts.appendingPathComponent("slip")
        try runToEnd(["/usr/bin/pdftoppm", "-r", "300", "-png", "-singlefile",
                      receipts.appendingPathComponent(slip).path, image.path])
        let token = try runToEnd(["/usr/bin/zbarimg", "--nodbus", "--quiet", "--raw", image.path + ".png"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.contains(number))

        let run = try runToEnd(
            [try #require(Self.python), repositoryRoot.appendingPathComponent("Tests/Browser/console_browser_test.py").path,
             "scan", token, number, Applicant.name],
            environment: ["CONSOLE_URL": centre.consoleURL, "STAFF_PASSWORD": password, "HOME": NSTemporaryDirectory(),
                          "SCREENSHOTS": repositoryRoot.appendingPathComponent(".build/console-screenshots").path,
                          "SE_OFFLINE": "true"])
        #expect(run.status == 0 && run.stdout.contains("scan passed"), "\(run.stdout)\n\(run.stderr)")
    }
}
