import ArgumentParser
import AsyncHTTPClient
import CentreConfig
import CentreSQLite
import CentreStore
import Foundation
import GRDB
import Hummingbird
import IntakeProtocol
import Logging
import NIOCore

/// `kiosk-bench fleet`: a district's fleet at the centre. First, storing
/// heartbeats as the centre does (judged, chart numbers always, the body only
/// when something changed) against storing every body in full (what the
/// centre did before the fleet view), same heartbeats, same disk: time and
/// bytes a heartbeat. Then the fleet page, a kiosk's page and `/metrics`
/// over days of history, against a bare SELECT of the fleet's rows.
struct FleetBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Heartbeat storage (bytes and time, against storing every body) and the fleet pages over a district's history.")

    @Option(help: "Kiosks in the district.") var kiosks = 151
    @Option(help: "Days of history (one heartbeat a minute a kiosk) behind the pages.") var days = 3
    @Option(help: "Heartbeats stored one by one for the storage figures.") var record = 6_000
    @Option(help: "Pages fetched per measurement.") var pages = 200
    @Option(help: "Centre configuration folder.") var centerConfig = "center-config"
    @Option(help: "Assets folder with the console's pages.") var assets = "assets"

    func run() async throws {
        let config = try CenterConfigurationLoader.load(from: URL(fileURLWithPath: centerConfig))
        let folder = try scratchFolder(nil, "fleet")
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let codes = (1...kiosks).map { String(format: "JA%04d", $0) }
        let streets = config.streets.map(\.code)

        // Storage: the same heartbeats into two databases.
        func makeStore(_ name: String) async throws -> (CenterStore, String) {
            let path = folder.appendingPathComponent("\(name).sqlite").path
            let store = try await CenterStore(path: path, sealKey: Array(repeating: 4, count: 32), deadlines: config.deadlines,
                                        timeZone: config.timeZone)
            for (index, code) in codes.enumerated() {
                _ = try await store.addKiosk(code, street: streets[index % streets.count])
                try await store.setKioskPlace(code, place: "社区服务中心 \(index + 1) 号 一楼大厅")
            }
            return (store, path)
        }
        let (store, path) = try await makeStore("centre")
        let (_, fullPath) = try await makeStore("every-body")
        let full = try DatabaseQueue(path: fullPath)
        let start = Date().addingTimeInterval(-Double(days) * 86_400)
        let beats = (0..<record).map { index in
            let code = codes[index % codes.count], round = index / codes.count
            // A kiosk's state changes now and then: paper out for a stretch every 40 heartbeats.
            return Self.heartbeat(code, at: start.addingTimeInterval(Double(round) * 60), paperOut: round % 40 >= 30,
                                  queue: round % 5)
        }
        let bodies = try beats.map { try $0.encoded() }
        let sizeBefore = (try Self.bytes(path), try Self.bytes(fullPath))
        var ours = Samples(), every = Samples()
        for (index, beat) in beats.enumerated() {
            let at = beat.sentAt
            ours.record(try await Samples.timeAsync {
                _ = try await store.recordHeartbeat(beat, body: bodies[index], signature: "v1=\(index)", now: at)
            }, if: true)
            every.record(try Samples.time {
                try full.write { db in
                    try db.execute(sql: """
                        INSERT INTO heartbeats (kiosk_code, received_at, body, signature) VALUES (?, ?, ?, ?)
                        """, arguments: [beat.kioskCode, at.benchMilliseconds, String(decoding: bodies[index], as: UTF8.self),
                                         "v1=\(index)"])
                    try db.execute(sql: "UPDATE kiosks SET last_heartbeat_at = ?, last_heartbeat = ? WHERE code = ?",
                                   arguments: [at.benchMilliseconds, String(decoding: bodies[index], as: UTF8.self), beat.kioskCode])
                }
            }, if: true)
        }
        let grown = (Double(try Self.bytes(path) - sizeBefore.0) / Double(record),
                     Double(try Self.bytes(fullPath) - sizeBefore.1) / Double(record))
        let averageBody = Double(bodies.map(\.count).reduce(0, +)) / Double(record)
        print("stored \(record) heartbeats of \(kiosks) kiosks, body \(Int(averageBody)) bytes on average")
        print(ours.line("judged, body on change"))
        print(every.line("every body (before)"))
        print(String(format: "bytes a heartbeat: %.0f (body on change) vs %.0f (every body); a month of %d kiosks ≈ %.2f GB vs %.2f GB",
                     grown.0, grown.1, kiosks, grown.0 * Double(kiosks) * 43_200 / 1e9, grown.1 * Double(kiosks) * 43_200 / 1e9))
        print(String(format: "storage ratio %.2f (body on change / every body); time ratio %.2f", grown.0 / grown.1,
                     ours.median / every.median))

        // History behind the pages: a heartbeat a minute a kiosk for `days`, in bulk.
        print("filling \(days) days of history: \(kiosks * days * 1440) heartbeats …")
        let pool = try DatabasePool(path: path)
        try await pool.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO heartbeats (kiosk_code, received_at, body, health, queue_depth, printer_ready) VALUES (?, ?, '', ?, ?, ?)
                """)
            for minute in 0..<(days * 1440) {
                let at = start.addingTimeInterval(Double(minute) * 60).benchMilliseconds
                for (index, code) in codes.enumerated() {
                    let paperOut = (minute + index * 37) % 600 >= 560
                    try insert.execute(arguments: [code, at, paperOut ? "degraded" : "ok", (minute + index) % 7, paperOut ? 0 : 1])
                }
            }
        }
        // Every kiosk heard just now, a few of them in trouble.
        let now = Date()
        for (index, code) in codes.enumerated() {
            let beat = Self.heartbeat(code, at: now, paperOut: index % 10 == 0, queue: index % 7)
            _ = try await store.recordHeartbeat(beat, body: try beat.encoded(), signature: "now-\(index)", now: now)
        }
        try await store.addStaff("bench.tech", role: .technician, password: "a password for the bench", actor: "bench")

        let console = try await BenchConsole.start(store: store, config: config, assets: assets, logger: logger,
                                                   username: "bench.tech", password: "a password for the bench")
        defer { console.stop() }
        var bare = Samples()
        for round in 0..<(pages + 20) {
            bare.record(try Samples.time {
                _ = try pool.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT code, street, place, created_at, last_heartbeat_at, last_heartbeat, health, health_since,
                               clock_offset_ms, clock_refused_at, clock_refused_offset_ms
                        FROM kiosks WHERE revoked_at IS NULL
                        """)
                }
            }, if: round >= 20)
        }
        print(bare.line("fleet rows (bare SELECT)"))
        var storeOnly = Samples(), decodeOnly = Samples()
        let latest = try await pool.read { db in try String.fetchAll(db, sql: "SELECT last_heartbeat FROM kiosks") }
        for round in 0..<(pages + 20) {
            storeOnly.record(try await Samples.timeAsync { _ = try await store.fleet() }, if: round >= 20)
            decodeOnly.record(try Samples.time { for text in latest { _ = try KioskHeartbeat.decode(Data(text.utf8)) } },
                              if: round >= 20)
        }
        print(storeOnly.line("fleet (store only)"))
        var history = Samples(), changes = Samples()
        for round in 0..<(pages + 20) {
            history.record(try await Samples.timeAsync {
                _ = try await store.kioskHistory(codes[0], since: now.addingTimeInterval(-Double(days) * 86_400), bucket: 3600)
            }, if: round >= 20)
            changes.record(try await Samples.timeAsync { _ = try await store.kioskChanges(codes[0]) }, if: round >= 20)
        }
        print(history.line("kiosk history (store only)"))
        print(changes.line("kiosk changes (store only)"))
        print(decodeOnly.line("latest heartbeats decoded"))
        var fleetRatio = 0.0
        for (name, target) in [("fleet page", "/fleet"), ("fleet page, one street", "/fleet?street=\(streets[0])"),
                               ("kiosk page (\(days) d chart)", "/fleet/\(codes[0])"), ("metrics", "/metrics")] {
            var times = Samples()
            var bytes = 0
            for round in 0..<(pages + 20) {
                let answer = try await console.get(target)
                bytes = answer.bytes
                times.record(answer.serverSeconds, if: round >= 20)
            }
            print(times.line("\(name) (server)") + String(format: "  p99 %.3f ms  %d KiB", times.percentile(0.99) * 1000,
                                                          bytes / 1024))
            if target == "/fleet" { fleetRatio = times.median / bare.median }
        }
        print(String(format: "fleet page / bare SELECT of its rows: ratio %.2f", fleetRatio))
    }

    static func heartbeat(_ code: String, at: Date, paperOut: Bool, queue: Int) -> KioskHeartbeat {
        let roles = ["front": KioskHeartbeat.Health.Role(up: true, state: "running"),
                     "forwarder": KioskHeartbeat.Health.Role(up: true, state: "running")]
        return KioskHeartbeat(
            kioskCode: code, sentAt: at, version: "1.0.0", queueDepth: queue, oldestPendingSeconds: queue > 0 ? 40 : nil,
            deadCount: 0, printerState: paperOut ? "paper-out" : "ready", lastScreenRender: at, intervalSeconds: 60,
            health: .init(overall: paperOut ? "degraded" : "ok", problems: paperOut ? ["printer paper-out"] : [],
                          roles: roles, oldestRedPendingSeconds: nil, lastForward: at.addingTimeInterval(-300),
                          printerReasons: paperOut ? ["media-empty-error"] : [], databaseCheck: "ok",
                          diskFreeBytes: 20 << 30, diskTotalBytes: 32 << 30))
    }

    /// The database's size with its WAL folded in.
    static func bytes(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return try Int.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0
        }
    }
}

extension Date {
    /// Milliseconds since 1970, as the centre stores times.
    var benchMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
