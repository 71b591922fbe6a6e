import ArgumentParser
import AsyncHTTPClient
import CentreConfig
import CentreConsole
import CentreSQLite
import CentreStore
import Foundation
import GRDB
import Hummingbird
import IntakeProtocol
import KioskDomain
import Logging
import NIOCore

/// `kiosk-bench console`: the staff console's inbox with 10,000 cases and
/// 100,000 access-log lines, as an adviser's browser asks for it (a real
/// listener on loopback, a signed-in session), against a bare SELECT of the
/// same rows from the same file, same run.
struct ConsoleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Inbox page over 10,000 cases (goal: median <= 50 ms; ratio: page / bare SELECT of its rows <= 3).")

    @Option(help: "Cases in the database.") var cases = 10_000
    @Option(help: "Access-log lines in the database.") var auditRows = 100_000
    @Option(help: "Pages fetched per measurement.") var pages = 300
    @Option(help: "Centre configuration folder.") var centerConfig = "center-config"
    @Option(help: "Assets folder with the console's pages.") var assets = "assets"

    func run() async throws {
        let config = try CenterConfigurationLoader.load(from: URL(fileURLWithPath: centerConfig))
        let folder = try scratchFolder(nil, "console")
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let path = folder.appendingPathComponent("center.sqlite").path
        let store = try await CenterStore(path: path, sealKey: Array(repeating: 4, count: 32), deadlines: config.deadlines,
                                    timeZone: config.timeZone)
        _ = try await store.addKiosk("JA0301")
        try await store.addStaff("bench.adviser", role: .adviser, password: "a password for the bench", actor: "bench")

        print("filling: \(cases) cases through intake, \(auditRows) access-log lines …")
        let streets = config.streets.map(\.code)
        let levels: [HardshipLevel] = [.green, .green, .yellow, .yellow, .red]
        let start = Date().addingTimeInterval(-30 * 86400)
        for index in 0..<cases {
            let receipt = ReceiptNumber(kioskCode: "JA0301", day: "261101", sequence: index + 1)
            let body = Self.body(receipt: receipt, level: levels[index % levels.count],
                                 street: streets[index % streets.count],
                                 createdAt: start.addingTimeInterval(Double(index) * 200))
            _ = try await store.accept(try IntakeSubmission.decode(body))
        }
        let database = try DatabasePool(path: path)
        try await database.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO audit_log (at, actor, action, case_reference, detail) VALUES (?, 'bench.adviser', 'view_case', ?, NULL)
                """)
            for index in 0..<auditRows {
                try insert.execute(arguments: [Int64(index) * 1000, "C" + String(format: "%08d", index % cases + 1)])
            }
        }

        let console = try await BenchConsole.start(store: store, config: config, assets: assets, logger: logger,
                                                   username: "bench.adviser", password: "a password for the bench")
        defer { console.stop() }

        let pageSize = config.console.pageSize
        var firstRatio = 0.0
        for (name, query, offset) in [("inbox, first page", "", 0), ("inbox, page 100", "?page=100", 99 * pageSize),
                                      ("inbox, one street, red", "?street=\(streets[0])&level=red", 0)] {
            var page = Samples(), bare = Samples(), server = Samples()
            var bytes = 0
            let sqlFilter = query.contains("street") ? "AND c.street = '\(streets[0])' AND c.priority = 0" : ""
            for round in 0..<(pages + 20) {
                let answer = try await console.get("/inbox\(query)")
                bytes = answer.bytes
                page.record(answer.seconds, if: round >= 20)
                server.record(answer.serverSeconds, if: round >= 20)
                // The rows that page shows, bare: the same SELECT from the same file.
                let time = try Samples.time {
                    _ = try database.read { db in
                        try Row.fetchAll(db, sql: """
                            SELECT s.reference, s.receipt_number, s.id, s.programme, s.service, c.priority, c.street,
                                   c.created_at, c.due_at, c.first_contact_at, c.assignee, c.state, c.sealed_reasons
                            FROM cases c JOIN submissions s ON s.seq = c.seq
                            WHERE c.state != 'closed' \(sqlFilter)
                            ORDER BY c.priority, c.created_at LIMIT ? OFFSET ?
                            """, arguments: [pageSize, offset])
                    }
                }
                bare.record(time, if: round >= 20)
            }
            print(server.line("\(name) (server)") + "  p99 " + String(format: "%.3f ms", server.percentile(0.99) * 1000)
                  + "  \(bytes / 1024) KiB")
            print(page.line("\(name) (with HTTP)"))
            print(bare.line("\(name) (bare SELECT)"))
            // The store's share of the page: rows, counts and reasons opened, no HTML.
            var filter = InboxFilter()
            filter.page = offset / pageSize + 1
            if query.contains("street") { filter.street = streets[0]; filter.level = .red }
            var storeTime = Samples()
            for round in 0..<(pages / 3 + 10) {
                storeTime.record(try await Samples.timeAsync { _ = try await store.inbox(filter, pageSize: pageSize) }, if: round >= 10)
            }
            print(storeTime.line("\(name) (store only)"))
            print("\(name): server / bare \(String(format: "%.2f", server.median / bare.median))")
            if offset == 0 && query.isEmpty { firstRatio = server.median / bare.median }
        }
        print(String(format: "goal: first page median <= 50 ms and ratio <= 3\nratio %.2f", firstRatio))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func body(receipt: ReceiptNumber, level: HardshipLevel, street: String, createdAt: Date) -> Data {
        let millis = Int64(createdAt.timeIntervalSince1970 * 1000)
        let reasons = level == .red ? "[\"emergency food=none-today\"]" : "[\"score 7 >= 6 (yellow)\"]"
        return Data("""
            {"answers":[{"option":"worried","question":"food"}],"applicant":{"addressDetail":"武定路 1 弄 2 号",
            "community":"wuding","householdSize":3,"name":"居民","phone":"13912345678","residentId":null,
            "street":"\(street)"},"consent":{"givenAt":\(millis),"version":"consent-v1"},"createdAt":\(millis),
            "description":"","hardship":{"level":"\(level.rawValue)","reasons":\(reasons),"scores":{"development":0,
            "economic":6,"social":1}},"kioskCode":"JA0301","language":"zh-Hans","programme":"elderly-wellbeing",
            "receiptNumber":"\(receipt)","service":"meal-assistance","submissionId":"\(UUID().uuidString.lowercased())"}
            """.utf8)
    }
}

/// The console on a free loopback port (a real listener), a member of
/// staff signed in, and each page's time inside the server.
struct BenchConsole {
    let port: Int
    let token: String
    let client: HTTPClient
    let times: ServerTimes
    let server: Task<Void, any Error>

    static func start(store: CenterStore, config: CenterConfiguration, assets: String, logger: Logger,
                      username: String, password: String) async throws -> BenchConsole {
        let views = try ConsoleViews(assets: URL(fileURLWithPath: assets))
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        // Server time: from the request's arrival at the router to its response, in the server.
        let times = ServerTimes()
        let router = ConsoleController(store: store, config: config, views: views, logger: logger)
            .router(middleware: [ServerTiming(times: times)])
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.run() }
        var port = 0
        for await bound in ports { port = bound; break }
        guard case let .success(token, _) = try await store.signIn(username, password: password, settings: config.console) else {
            server.cancel()
            throw ValidationError("cannot sign in as \(username)")
        }
        return BenchConsole(port: port, token: token, client: HTTPClient(eventLoopGroupProvider: .singleton),
                            times: times, server: server)
    }

    /// One page as the browser asks for it: its size, the time with HTTP, the time in the server.
    func get(_ path: String) async throws -> (bytes: Int, seconds: Double, serverSeconds: Double) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Cookie", value: "kc_session=\(token)")
        let started = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        let elapsed = ContinuousClock.now - started
        guard response.status == .ok else { throw ValidationError("\(path) answered \(response.status)") }
        return (body.readableBytes, ConsoleBenchmark.seconds(elapsed), times.last())
    }

    func stop() {
        try? client.syncShutdown()
        server.cancel()
    }
}

/// The last page's time inside the server, set by `ServerTiming`.
final class ServerTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 0.0

    func record(_ value: Double) { lock.withLock { seconds = value } }
    func last() -> Double { lock.withLock { seconds } }
}

/// Times each request from the router's first middleware to its response.
struct ServerTiming: RouterMiddleware {
    typealias Context = ConsoleController.Context
    let times: ServerTimes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        times.record(ConsoleBenchmark.seconds(ContinuousClock.now - started))
        return response
    }
}
