import ArgumentParser
import CentreConfig
import CentreSQLite
import CentreStore
import Foundation
import GRDB
import IntakeProtocol
import KioskDomain
import Logging

/// `kiosk-bench referrals`: a partner organisation's inbox with 5,000 open
/// referrals among 100,000 cases (and other partners' referrals beside
/// them), as the partner's browser asks for it (a real listener on
/// loopback, a signed-in partner account), against a bare SELECT of the
/// same rows from the same file, same run.
struct ReferralBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrals",
        abstract: "A partner's inbox with 5,000 open referrals among 100,000 cases (goal: median <= 20 ms; ratio <= 3).")

    @Option(help: "Cases in the database.") var cases = 100_000
    @Option(help: "Open referrals to the measured partner.") var openReferrals = 5_000
    @Option(help: "Referrals to other partners (open or settled).") var otherReferrals = 20_000
    @Option(help: "Pages fetched per measurement.") var pages = 300
    @Option(help: "Centre configuration folder.") var centerConfig = "center-config"
    @Option(help: "Assets folder with the console's pages.") var assets = "assets"

    func run() async throws {
        let config = try CenterConfigurationLoader.load(from: URL(fileURLWithPath: centerConfig))
        let folder = try scratchFolder(nil, "referrals")
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let path = folder.appendingPathComponent("center.sqlite").path
        let store = try await CenterStore(path: path, sealKey: Array(repeating: 4, count: 32), deadlines: config.deadlines,
                                          timeZone: config.timeZone)
        _ = try await store.addKiosk("JA0301")
        let partner = "charity-foundation"
        try await store.addStaff("bench.partner", role: .partner, password: "a password for the bench", partner: partner,
                                 actor: "bench")

        print("filling: \(cases) cases through intake, \(openReferrals) open referrals to \(partner), "
              + "\(otherReferrals) to other partners …")
        let levels: [HardshipLevel] = [.green, .green, .yellow, .yellow, .red]
        let start = Date().addingTimeInterval(-60 * 86400)
        for first in stride(from: 0, to: cases, by: 200) {
            let batch = try (first..<min(first + 200, cases)).map { index in
                let receipt = ReceiptNumber(kioskCode: "JA0301", day: "261101", sequence: index + 1)
                return try IntakeSubmission.decode(ConsoleBenchmark.body(
                    receipt: receipt, level: levels[index % levels.count], street: "nanjing-west",
                    createdAt: start.addingTimeInterval(Double(index) * 50)))
            }
            _ = try await store.acceptAll(batch)
        }
        // Referrals straight into the file: the inbox reads them, how they were made does not matter here.
        let database = try DatabasePool(path: path)
        let others = config.partners.map(\.id).filter { $0 != partner }
        let states = ["requested", "received", "accepted", "in_progress"]
        try await database.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO referrals (number, seq, partner, kind, state, created_by, created_at, answer_due_at, received_at,
                                       answered_at, decline_reason, closed_at, updated_at)
                VALUES (?, ?, ?, 'material', ?, 'bench.adviser', ?, ?, ?, ?, ?, ?, ?)
                """)
            for index in 0..<(openReferrals + otherReferrals) {
                let seq = Int64(index * 3 % cases + 1)
                let mine = index < openReferrals
                let at = Int64(start.timeIntervalSince1970 * 1000) + Int64(index) * 60_000
                // Others: every third one declined, so the partial index has settled rows to skip too.
                let declined = !mine && index % 3 == 0
                let state = declined ? "declined" : states[index % states.count]
                try insert.execute(arguments: [
                    "C" + String(format: "%08d", seq) + "-\(index / cases + 1)", seq, mine ? partner : others[index % others.count],
                    state, at, at + 3 * 86_400_000, state == "requested" ? nil : at, declined || state == "accepted" ? at : nil,
                    declined ? "no_capacity" : nil, declined ? at : nil, at])
            }
        }

        let console = try await BenchConsole.start(store: store, config: config, assets: assets, logger: logger,
                                                   username: "bench.partner", password: "a password for the bench")
        defer { console.stop() }
        var page = Samples(), bare = Samples(), server = Samples()
        var bytes = 0
        for round in 0..<(pages + 20) {
            let answer = try await console.get("/partner")
            bytes = answer.bytes
            page.record(answer.seconds, if: round >= 20)
            server.record(answer.serverSeconds, if: round >= 20)
            // The rows that page shows, bare: the same SELECT from the same file.
            let time = try Samples.time {
                _ = try database.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT r.number, r.kind, r.state, r.created_at, r.answer_due_at, c.priority, s.programme, s.service
                        FROM referrals r JOIN cases c ON c.seq = r.seq JOIN submissions s ON s.seq = r.seq
                        WHERE r.partner = ? AND r.state IN ('requested', 'received', 'accepted', 'in_progress')
                        ORDER BY c.priority, r.created_at LIMIT 200
                        """, arguments: [partner])
                }
            }
            bare.record(time, if: round >= 20)
        }
        print(server.line("partner inbox (server)") + "  p99 " + String(format: "%.3f ms", server.percentile(0.99) * 1000)
              + "  \(bytes / 1024) KiB")
        print(page.line("partner inbox (with HTTP)"))
        print(bare.line("partner inbox (bare SELECT)") + "  p99 " + String(format: "%.3f ms", bare.percentile(0.99) * 1000))
        print(String(format: "goal: median <= 20 ms and ratio <= 3\nratio %.2f", server.median / bare.median))
    }
}
