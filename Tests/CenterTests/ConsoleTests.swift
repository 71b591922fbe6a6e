import CentreConsole
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeProtocol
import KioskDomain
import KioskStore
import Logging
import NIOCore
import TestSupport
import Testing

/// The console over HTTP (Hummingbird's test client, the real router and
/// store): sign-in, roles, CSRF, the ticket scan, a case's page and actions,
/// on each backend.
@Suite struct ConsoleTests {
    @Test(arguments: CenterBackend.allCases) func anAdviserSignsInScansATicketAndActsOnTheCase(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).anAdviserSignsInScansATicketAndActsOnTheCase()
    }

    @Test(arguments: CenterBackend.allCases) func aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing()
    }

    @Test(arguments: CenterBackend.allCases) func eachRoleReachesOnlyItsPages(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).eachRoleReachesOnlyItsPages()
    }

    @Test(arguments: CenterBackend.allCases) func ticketsThatCannotOpenACaseSayWhy(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).ticketsThatCannotOpenACaseSayWhy()
    }

    @Test(arguments: CenterBackend.allCases) func repeatedWrongPasswordsLockTheAccountWithAClearMessage(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).repeatedWrongPasswordsLockTheAccountWithAClearMessage()
    }

    @Test(arguments: CenterBackend.allCases) func aStreetsAdviserSeesItsStreetAndTheDistrictSupervisorChoosesTheScope(_ backend: CenterBackend) async throws {
        try await ConsoleDriver(backend).aStreetsAdviserSeesItsStreetAndTheDistrictSupervisorChoosesTheScope()
    }
}

/// One console on one backend, and the checks the tests run on it.
struct ConsoleDriver {
    let centre: CenterFixture
    let app: Application<RouterResponder<ConsoleController.Context>>

    init(_ backend: CenterBackend, texts: Bool = false) async throws {
        centre = try await CenterFixture(backend, texts: texts)
        let views = try ConsoleViews(assets: repositoryRoot.appendingPathComponent("assets"))
        let console = ConsoleController(store: centre.store, config: centre.config, views: views,
                                    logger: Logger(label: "console-test"))
        app = Application(router: console.router())
        try await centre.addStaff("li.adviser", .adviser)
        try await centre.addStaff("zhao.super", .supervisor)
        try await centre.addStaff("qian.audit", .auditor)
        try await centre.addStaff("wu.tech", .technician)
    }

    func aStreetsAdviserSeesItsStreetAndTheDistrictSupervisorChoosesTheScope() async throws {
        try await centre.store.setKioskStreet("JA0301", street: "nanjing-west")
        _ = try await centre.store.addKiosk("JA0302", street: "jingan-temple")
        let (west, _) = sample(sequence: 1, kiosk: "JA0301")
        let (temple, _) = sample(sequence: 2, kiosk: "JA0302")
        guard case let .created(westCase) = try await centre.store.accept(west) else { throw CenterError(description: "not created") }
        guard case let .created(templeCase) = try await centre.store.accept(temple) else { throw CenterError(description: "not created") }
        try await centre.store.addStaff("wang.west", role: .adviser, password: CenterFixture.password, street: "nanjing-west",
                                  actor: "test")
        try await centre.store.addStaff("sun.west", role: .auditor, password: CenterFixture.password, street: "nanjing-west",
                                  actor: "test")
        try await app.test(.router) { client in
            let adviser = try await client.signIn("wang.west", CenterFixture.password)
            let inbox = try await client.get("/inbox", adviser)
            #expect(inbox.text.contains(west.receiptNumber) && !inbox.text.contains(temple.receiptNumber))
            // The other street's ticket: whose case it is, nothing of it.
            let other = try await client.get("/cases/\(templeCase)", adviser)
            #expect(other.status == .notFound && other.text.contains("静安寺街道"), "\(other.text)")
            #expect(!other.text.contains(temple.receiptNumber))
            let refused = try await client.post("/cases/\(templeCase)/actions", ["csrf": adviser.csrf, "action": "accept"], adviser)
            #expect(refused.status != .seeOther)
            #expect(try await centre.store.caseDetail(templeCase, viewer: "test")?.state == .new)
            // Nor may another street's case be named as the original of a duplicate.
            _ = try await client.post("/cases/\(westCase)/actions", ["csrf": adviser.csrf, "action": "accept"], adviser)
            let duplicate = try await client.post("/cases/\(westCase)/actions",
                                                  ["csrf": adviser.csrf, "action": "duplicate", "duplicate_of": templeCase], adviser)
            #expect(duplicate.status != .seeOther, "\(duplicate.status)")
            #expect(try await centre.store.caseDetail(westCase, viewer: "test")?.duplicateOf == nil)
            await #expect(throws: WorkflowError.self) {
                try await centre.store.perform(.markDuplicate(of: templeCase), on: westCase, by: "wang.west", role: .adviser,
                                         rules: centre.config.cases, partner: centre.config.partner, street: "nanjing-west")
            }

            // The street's auditor reads its street's access log only.
            _ = try await centre.store.caseDetail(templeCase, viewer: "zhao.super")
            let auditor = try await client.signIn("sun.west", CenterFixture.password)
            let log = try await client.get("/audit", auditor)
            #expect(log.status == .ok && log.text.contains(westCase) && !log.text.contains(templeCase), "\(log.text.suffix(3000))")
            #expect(try await centre.store.auditEntries(street: "nanjing-west").allSatisfy { $0.caseReference != templeCase })
            #expect(try await centre.store.auditEntries().contains { $0.caseReference == templeCase })

            // The district supervisor: both, and the report's scope to choose.
            let district = try await client.signIn("zhao.super", CenterFixture.password)
            let all = try await client.get("/inbox", district)
            #expect(all.text.contains(west.receiptNumber) && all.text.contains(temple.receiptNumber))
            let report = try await client.get("/reports?street=jingan-temple", district)
            #expect(report.text.contains("<select id=\"street\"") && report.text.contains("静安寺街道"))
            #expect(report.text.contains("reports.csv?month=") && report.text.contains("street=jingan-temple"))
        }
    }

    func anAdviserSignsInScansATicketAndActsOnTheCase() async throws {
        let (submission, _) = sample(sequence: 42, level: .red, name: "<script>alert(1)</script>")
        guard case let .created(reference) = try await centre.store.accept(submission) else {
            throw CenterError(description: "the sample request was not created")
        }
        let token = try centre.token(submission.receiptNumber)

        try await app.test(.router) { client in
            let session = try await client.signIn("li.adviser", CenterFixture.password)
            // The inbox: no ID number, no story; the name is not there at all.
            let inbox = try await client.get("/inbox", session)
            #expect(inbox.status == .ok && inbox.text.contains(submission.receiptNumber))
            #expect(!inbox.text.contains("11010519491231002X") && !inbox.text.contains("腿脚不便独居"))
            #expect(inbox.text.contains("name=\"ticket\"") && inbox.text.contains("autofocus"))

            // A scanner types the status URL and the token, then Enter.
            let scanned = try await client.get("/ticket?ticket=" + Self.encoded("https://help.example/s/\(token)"), session)
            #expect(scanned.status == .seeOther && scanned.headers[.location] == "/cases/\(reference)")
            let page = try await client.get("/cases/\(reference)", session)
            #expect(page.text.contains("110105********002X") && !page.text.contains("11010519491231002X"))
            #expect(page.text.contains("&lt;script&gt;") && !page.text.contains("<script>"), "escaped")
            #expect(page.headers[.cacheControl] == "no-store")

            let revealed = try await client.post("/cases/\(reference)/reveal-id", ["csrf": session.csrf], session)
            #expect(revealed.text.contains("11010519491231002X"))

            let accepted = try await client.post("/cases/\(reference)/actions", ["csrf": session.csrf, "action": "accept"], session)
            #expect(accepted.status == .seeOther)
            let taken = try await client.post("/cases/\(reference)/actions", ["csrf": session.csrf, "action": "assign"], session)
            #expect(taken.status == .seeOther)
            let unreachable = try await client.post("/cases/\(reference)/actions",
                                                    ["csrf": session.csrf, "action": "close", "outcome": "unreachable",
                                                     "note": "打不通"], session)
            #expect(unreachable.status == .unprocessableContent && unreachable.text.contains("error-summary"))
            let after = try await client.get("/cases/\(reference)", session)
            #expect(after.text.contains("li.adviser") && after.text.contains("已分配"))
        }
        let actions = try await centre.store.auditEntries().filter { $0.caseReference == reference }.map(\.action)
        #expect(actions.contains("reveal_id") && actions.contains("accept") && actions.contains("assign"))
        #expect(actions.filter { $0 == "view_case" }.count >= 3)
    }

    func aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing() async throws {
        let reference = try await centre.receive(sequence: 1)
        try await app.test(.router) { client in
            let session = try await client.signIn("li.adviser", CenterFixture.password)
            let refused = try await client.post("/cases/\(reference)/actions", ["action": "accept"], session)
            #expect(refused.status == .forbidden)
            // One character changed (a token that starts with "x" gets a "y": the same token would pass).
            let altered = (session.csrf.first == "x" ? "y" : "x") + session.csrf.dropFirst()
            let wrong = try await client.post("/cases/\(reference)/actions", ["action": "accept", "csrf": altered], session)
            #expect(wrong.status == .forbidden)
        }
        #expect(try await centre.store.caseDetail(reference, viewer: "test")?.state == .new)
        #expect(try await centre.store.auditEntries().contains { $0.action == "csrf_refused" })
    }

    func eachRoleReachesOnlyItsPages() async throws {
        try await app.test(.router) { client in
            let adviser = try await client.signIn("li.adviser", CenterFixture.password)
            #expect(try await client.get("/audit", adviser).status == .forbidden)
            #expect(try await client.get("/reports", adviser).status == .forbidden)
            let auditor = try await client.signIn("qian.audit", CenterFixture.password)
            #expect(try await client.get("/audit", auditor).status == .ok)
            #expect(try await client.get("/inbox", auditor).status == .forbidden)
            #expect(try await client.get("/fleet", auditor).status == .forbidden)
            #expect(try await client.get("/fleet", adviser).status == .forbidden)
            // The technician looks after kiosks, and reads no resident's request.
            let technician = try await client.signIn("wu.tech", CenterFixture.password)
            #expect(try await client.get("/fleet", technician).status == .ok)
            for page in ["/inbox", "/reports", "/audit"] {
                #expect(try await client.get(page, technician).status == .forbidden, "\(page)")
            }
            let supervisor = try await client.signIn("zhao.super", CenterFixture.password)
            let csv = try await client.get("/reports.csv", supervisor)
            #expect(csv.status == .ok && csv.body.readableBytesView.starts(with: [0xEF, 0xBB, 0xBF]))
            let reports = try await client.get("/reports", supervisor)
            #expect(reports.text.contains("<svg") && reports.text.contains("role=\"img\""))
            #expect(try await client.get("/fleet", supervisor).status == .ok)
            // No session: the sign-in page, then back.
            let anonymous = try await client.execute(uri: "/inbox", method: .get)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/login?next=") == true)
        }
    }

    func ticketsThatCannotOpenACaseSayWhy() async throws {
        let (submission, _) = sample(sequence: 7)
        _ = try await centre.store.accept(submission)
        let number = try ReceiptNumber(parsing: submission.receiptNumber)
        let genuine = try centre.token(submission.receiptNumber).description
        let forged = ReceiptToken(receiptNumber: number, issuedAt: Date(), key: ReceiptKey(bytes: Array(repeating: 9, count: 32)))
        let notArrived = try centre.token(ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 99).description)
        var characters = Array(submission.receiptNumber)
        characters[characters.count - 3] = characters[characters.count - 3] == "1" ? "2" : "1"
        let typo = String(characters)
        try await app.test(.router) { client in
            let session = try await client.signIn("li.adviser", CenterFixture.password)
            let cases: [(String, String)] = [
                (forged.description, "伪造"),
                (String(genuine.dropLast(2)) + (genuine.hasSuffix("AA") ? "BB" : "AA"), "伪造"),
                (notArrived.description, "还没有到达中心"),
                (typo, "校验字符不符"),
                ("hello", "不是本系统的回执"),
                (submission.receiptNumber.lowercased(), ""),
            ]
            for (input, words) in cases {
                let response = try await client.get("/ticket?ticket=" + Self.encoded(input), session)
                if words.isEmpty {
                    #expect(response.status == .seeOther, "a typed number in lower case opens the case")
                } else {
                    #expect(response.status == .unprocessableContent && response.text.contains(words), "\(input)")
                }
            }
        }
        #expect(try await centre.store.auditEntries().filter { $0.action == "ticket_refused" }.count == 2)
    }

    /// Wrong passwords all get the same words (the fifth, which locks, too);
    /// only the right password learns of the lock, with a clear message.
    func repeatedWrongPasswordsLockTheAccountWithAClearMessage() async throws {
        try await app.test(.router) { client in
            for _ in 1...6 {
                let response = try await client.trySignIn("li.adviser", "not the password")
                #expect(response.status == .unauthorized && response.text.contains("用户名或密码不正确")
                        && !response.text.contains("锁定"))
            }
            let right = try await client.trySignIn("li.adviser", CenterFixture.password)
            #expect(right.status.code == 423 && right.text.contains("账户已锁定"),
                    "locked for the address the wrong passwords came from, and said so to the right password")
        }
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }
}

struct ConsoleSession {
    var cookie: String
    var csrf: String
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    func trySignIn(_ name: String, _ password: String) async throws -> TestResponse {
        let form = try await execute(uri: "/login", method: .get)
        let csrf = try #require(form.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        let cookie = try #require(form.headers[.setCookie]?.split(separator: ";").first)
        return try await execute(
            uri: "/login", method: .post,
            headers: [.cookie: String(cookie), .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "csrf=\(csrf)&username=\(name)&password=\(password.replacingOccurrences(of: " ", with: "+"))&next=%2F"))
    }

    func signIn(_ name: String, _ password: String) async throws -> ConsoleSession {
        let response = try await trySignIn(name, password)
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("kc_session=") })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = String(setCookie.split(separator: ";")[0])
        let page = try await execute(uri: "/", method: .get, headers: [.cookie: cookie])
        let target = page.headers[.location] ?? "/inbox"
        let landing = try await execute(uri: target, method: .get, headers: [.cookie: cookie])
        let csrf = try #require(landing.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        return ConsoleSession(cookie: cookie, csrf: String(csrf))
    }

    func get(_ uri: String, _ session: ConsoleSession) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: [.cookie: session.cookie])
    }

    func post(_ uri: String, _ form: [String: String], _ session: ConsoleSession) async throws -> TestResponse {
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        return try await execute(uri: uri, method: .post,
                                 headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
                                 body: ByteBuffer(string: body))
    }
}
