import CentreConfig
import Foundation
import KioskConfig
import TestSupport
import Testing

/// `kiosk-center` at the shell: configuration problems named where they
/// are, staff accounts, the access log and the report as a technician or an
/// auditor reads them.
@Suite(.serialized) struct CenterCommandTests {
    @Test func aBrokenConfigurationIsNamedByFileAndLineAndTheServiceRefusesToStart() throws {
        let folder = try temporaryFolder("center-config")
        for name in CenterConfigurationLoader.fileNames {
            let source = repositoryRoot.appendingPathComponent("center-config/\(name)").resolvingSymlinksInPath()
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(name))
        }
        let centre = folder.appendingPathComponent("center.yaml")
        var text = try String(contentsOf: centre, encoding: .utf8)
        text = text.replacingOccurrences(of: "red: {hours: 4}", with: "red: {hours: 4, working_days: 1}")
            .replacingOccurrences(of: "session_idle_minutes: 15", with: "session_idle_minutes: soon")
        try text.write(to: centre, atomically: true, encoding: .utf8)
        try """
            partners:
              - id: Health Bureau
                name: {zh-Hans: 卫健委}
              - id: food-bank
                name: {zh-Hans: 食物银行, en: Food Bank}
                hours: {zh-Hans: 周六, en: Saturdays}
                phone: call us
                helps: [food]
                programmes: [elderly-care]
                answer_within_working_days: 0
            """.write(to: folder.appendingPathComponent("partners.yaml"), atomically: true, encoding: .utf8)

        let check = try runToEnd([product("kiosk-center"), "config", "check", folder.path])
        #expect(check.status == 1)
        for expected in ["center.yaml:14: deadlines.red needs exactly one of hours or working_days",
                         "center.yaml:20: console.session_idle_minutes must be a whole number",
                         "partners.yaml:2: partner.id 'Health Bureau' must be lower-case",
                         "partners.yaml:3: partner.name: missing partner.name in English (en)",
                         "partners.yaml:4: partner food-bank: missing 'address'",
                         "partners.yaml:7: partner food-bank.phone 'call us' must be a phone number",
                         "partners.yaml:8: partner food-bank.helps: 'food' is not one of material, service, psychological",
                         "partners.yaml:9: partner food-bank.programmes: 'elderly-care' is not a programme in catalog.yaml",
                         "partners.yaml:10: partner food-bank.answer_within_working_days must be between 1 and 30, not 0"] {
            #expect(check.stdout.contains(expected), "\(expected)\n\(check.stdout)")
        }
        let state = try temporaryFolder("centre-refuses")
        let serve = try runToEnd([product("kiosk-center"), "serve", "--state", state.path, "--config", folder.path])
        #expect(serve.status != 0 && serve.stderr.contains("center.yaml:14:") && serve.stderr.contains("refusing to start"))
        #expect(try runToEnd([product("kiosk-center"), "config", "check",
                              repositoryRoot.appendingPathComponent("center-config").path]).stdout
            .contains("configuration OK"))
    }

    /// Before the centre's keys exist, its commands name the centre's own tool, never the kiosk's.
    @Test func aMissingKeyNamesTheCentresOwnCommand() throws {
        let state = try temporaryFolder("centre-no-keys")
        let add = try runToEnd([product("kiosk-center"), "kiosk", "add", "JA0301"] + CenterProcess.arguments(state))
        #expect(add.status != 0 && add.stderr.contains("kiosk-center credentials init"), "\(add.stderr)")
        #expect(!add.stderr.contains("kioskctl"), "\(add.stderr)")
    }

    /// The centre speaks plain HTTP: it refuses to listen beyond loopback
    /// (a TLS proxy goes in front), whatever address it is given.
    @Test(arguments: [["--host", "0.0.0.0"], ["--host", "127.0.0.1.nip.io"], ["--console-host", "10.0.0.5"],
                      ["--console-host", "::"]])
    func serveRefusesToListenBeyondLoopback(arguments: [String]) throws {
        let state = try temporaryFolder("centre-host")
        let serve = try runToEnd([product("kiosk-center"), "serve", "--port", "0", "--console-port", "0"]
                                 + CenterProcess.arguments(state) + arguments)
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("refusing to listen on \(arguments[1])"), "\(serve.stderr)")
    }

    /// A kiosk's place is one line a technician can find it by: blank or
    /// overlong is a usage error, and `kiosk add` then enrols nothing.
    @Test func aKiosksPlaceIsOneLineOrAUsageError() throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-places"))
        centre.stop()
        let blank = try centre.command(["kiosk", "add", "JA0391", "--place", "   "])
        #expect(blank.status == 64 && blank.stderr.contains("a place is one line of 1 to 120 characters"), "\(blank.stderr)")
        #expect(!(try centre.command(["kiosk", "list"]).stdout.contains("JA0391")), "nothing enrolled")
        _ = try centre.addKiosk("JA0391", options: ["--place", "  武定路社区中心 大厅 "])
        let long = try centre.command(["kiosk", "place", "JA0391", String(repeating: "路", count: 121)])
        #expect(long.status == 64 && long.stderr.contains("1 to 120 characters"))
        let unknown = try centre.command(["kiosk", "place", "JA0399", "大厅"])
        #expect(unknown.status != 0 && unknown.stderr.contains("kiosk JA0399 is not registered"))
        #expect(try centre.command(["kiosk", "list"]).stdout.contains("at 武定路社区中心 大厅\n"), "stored trimmed")
    }

    @Test func staffAccountsAndTheAccessLogAtTheShell() throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-commands"))
        centre.stop()
        let short = try centre.command(["staff", "add", "li.adviser", "--role", "adviser"], input: "too short\n")
        #expect(short.status != 0 && short.stderr.contains("at least 12 characters"))
        try centre.addStaff("li.adviser", role: "adviser", password: "correct horse battery")
        try centre.addStaff("qian.audit", role: "auditor", password: "correct horse battery")
        #expect(try centre.command(["staff", "disable", "li.adviser"]).status == 0)
        let list = try centre.command(["staff", "list"]).stdout
        #expect(list.contains("li.adviser") && list.contains("disabled") && list.contains("qian.audit"))
        let audit = try centre.command(["audit", "--json"])
        #expect(audit.status == 0)
        let entries = try JSONDecoder().decode([[String: String]].self, from: Data(audit.stdout.utf8))
        #expect(entries.map { $0["action"] } == ["staff_disable", "staff_add", "staff_add"])
        #expect(!audit.stdout.contains("correct horse battery"))
        let later = try centre.command(["audit", "--json", "--since", "2999-01-01"])
        #expect(later.status == 0)
        #expect(try JSONDecoder().decode([[String: String]].self, from: Data(later.stdout.utf8)).isEmpty,
                "nothing after a day still to come")
        #expect(try centre.command(["audit", "--since", "2026-02-30"]).stderr.contains("--since must be a day"))
        let report = try centre.command(["report", "--month", "2026-11", "--csv"])
        // (Foundation drops the byte-order mark as it reads the output; ConsoleTests checks the bytes.)
        #expect(report.status == 0 && report.stdout.contains("分类,项目,数量,说明\r\n合计,2026-11,0,"))
        #expect(try centre.command(["report", "--month", "November"]).stderr.contains("yyyy-MM"))
    }
}
