import ArgumentParser
import AsyncHTTPClient
import Foundation
import GRDB
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskForwarder
import KioskStore
import StorageSupport
#if canImport(Glibc)
import Glibc
#endif

/// `kiosk-bench drain`: backlogs of queued requests drained by the real
/// `kioskd forwarder` to the real `kiosk-center serve` on loopback, both
/// sides durable (WAL, synchronous=FULL), against plain HTTP round trips to
/// the same server with the same concurrency, same run. CPU per request is
/// read for each process from /proc; the forwarder's idle CPU after the
/// last drain too. `--baseline DIR` runs the same backlogs through another
/// build's `kioskd` and `kiosk-center` in the same run, for before/after.
struct DrainBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain backlogs to a loopback centre (goal >= 500 requests/s, <= 0.3 ms CPU a request; ratio: drain/plain HTTP at the middle backlog).")

    @Option(help: "Backlogs to drain, comma-separated.")
    var counts = "1000,10000,50000"

    @Option(help: "Seconds the forwarder is watched idle after the last drain.")
    var idleSeconds = 20

    @Option(help: "A folder with another build's kioskd and kiosk-center (one from before queue counts) to compare with.")
    var baseline: String?

    @Option(help: "Configuration folder (default: $KIOSK_CONFIG or ./kiosk-config).")
    var config: String?

    @Option(help: "forwarder.batch_size for this build (default: the configuration's; 1 sends one request a POST).")
    var batchSize: Int?

    func run() async throws {
        let shipped = URL(fileURLWithPath: config ?? ProcessInfo.processInfo.environment["KIOSK_CONFIG"] ?? "kiosk-config")
        let backlogs = counts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !backlogs.isEmpty, backlogs.allSatisfy({ $0 > 0 }) else { throw ValidationError("--counts: positive numbers, comma-separated") }
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let builds = [("this build", products)] + (baseline.map { [("baseline", URL(fileURLWithPath: $0))] } ?? [])
        let forwarder = try ConfigurationLoader.load(from: shipped).forwarder
        if let batchSize, !ForwarderSettings.batchSizes.contains(batchSize) {
            throw ValidationError("--batch-size: \(ForwarderSettings.batchSizes.lowerBound) to \(ForwarderSettings.batchSizes.upperBound)")
        }
        emit("kiosk-bench drain: kioskd forwarder → kiosk-center serve, loopback, concurrency \(forwarder.concurrency), "
            + "batches of \(batchSize ?? forwarder.batchSize) (the baseline: one a POST), both sides synchronous=FULL")
        emit("build        backlog   drain/s   plain HTTP/s   ratio   CPU ms a request: forwarder  centre  both")
        var results: [String: [Int: DrainResult]] = [:]
        for backlog in backlogs {
            for (name, folder) in builds {
                let result = try await drain(backlog, build: folder, downgrade: name == "baseline", shipped: shipped,
                                             idle: backlog == backlogs.last ? idleSeconds : 0)
                results[name, default: [:]][backlog] = result
                emit(String(format: "%-12@ %7d   %7.0f   %12.0f   %5.2f   %30.3f  %6.3f  %5.3f", name as NSString, backlog,
                             result.rate, result.plainRate, result.rate / result.plainRate, result.forwarderCPU * 1000,
                             result.centreCPU * 1000, (result.forwarderCPU + result.centreCPU) * 1000))
                if result.idlePercent >= 0 {
                    emit(String(format: "%-12@ idle forwarder CPU %.3f %% over %d s (goal <= 0.05 %%)", name as NSString,
                                 result.idlePercent, idleSeconds))
                }
            }
        }
        if let ours = results["this build"], let theirs = results["baseline"] {
            for backlog in backlogs {
                emit(String(format: "backlog %6d: %.1f× the baseline's rate (goal >= 4×)", backlog,
                             ours[backlog]!.rate / theirs[backlog]!.rate))
            }
        }
        let middle = results["this build"]![backlogs[backlogs.count / 2]]!
        emit(String(format: "ratio %.2f", middle.rate / middle.plainRate))
    }

    /// Sets forwarder.batch_size in a configuration copy; nil takes it out.
    static func setBatchSize(_ size: Int?, in file: URL) throws {
        let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n").compactMap { line -> String? in
            guard line.trimmingCharacters(in: .whitespaces).hasPrefix("batch_size:") else { return line }
            return size.map { "  batch_size: \($0)" }
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    /// A line out at once, even to a file: a full run takes minutes.
    func emit(_ line: String) {
        print(line)
        fflush(nil)
    }

    struct DrainResult {
        var rate: Double
        var plainRate: Double
        /// CPU seconds a request.
        var forwarderCPU: Double
        var centreCPU: Double
        /// Percent of one core while idle; -1 when not measured.
        var idlePercent: Double
    }

    /// One backlog through one build's daemons.
    func drain(_ count: Int, build: URL, downgrade: Bool, shipped: URL, idle: Int) async throws -> DrainResult {
        let folder = try scratchFolder(nil, "drain")
        defer { try? FileManager.default.removeItem(at: folder) }
        func tool(_ name: String) -> String { build.appendingPathComponent(name).path }

        // The centre and this kiosk's enrolment.
        let centreState = folder.appendingPathComponent("centre")
        let centreArguments = LoopbackCentre.arguments(state: centreState)
        _ = try captureOutput([tool("kiosk-center"), "credentials", "init"] + centreArguments)
        let code = try ConfigurationLoader.load(from: shipped).identity.kioskCode
        let enrolment = try captureOutput([tool("kiosk-center"), "kiosk", "add", code] + centreArguments)
            .split(separator: "\n").map(String.init)
        let centreKey = try CentrePublicKey(text: enrolment.last ?? "")
        let centre = try LoopbackCentre(tool: tool("kiosk-center"), state: centreState)
        defer { centre.stop() }

        // The backlog, through the store as the front stores requests.
        let state = folder.appendingPathComponent("state")
        let config = try StartupBenchmark().configCopy(shipped, into: folder.appendingPathComponent("config"), centrePort: centre.port)
        // A baseline from before batches refuses a key it does not know.
        if downgrade || batchSize != nil {
            try Self.setBatchSize(downgrade ? nil : batchSize, in: config.appendingPathComponent("kiosk.yaml"))
        }
        let configuration = try ConfigurationLoader.load(from: config)
        let credentials = CredentialStore(directory: state.appendingPathComponent("credentials"))
        try credentials.writeCentrePublicKey(centreKey, named: configuration.credentials.centrePublicKey)
        try credentials.createKeyIfMissing(named: configuration.credentials.receiptKey)
        try credentials.write([UInt8](hex: enrolment.first ?? "") ?? [], named: configuration.credentials.centreSecret)
        let database = state.appendingPathComponent("kiosk.sqlite").path
        do {
            let store = try KioskStore(path: database, centreKey: centreKey,
                                       issuer: ReceiptIssuer(kioskCode: code, timeZone: configuration.identity.timeZone))
            let draft = SubmitBenchmark().sampleDraft(configuration)
            for _ in 0..<count {
                _ = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
            }
        }
        if downgrade { try Self.downgradeForBaseline(database) }

        // Plain round trips to the same server, same concurrency (a general
        // HTTP client: the forwarder's own posts only).
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let plainCount = 4000
        let concurrency = configuration.forwarder.concurrency
        let port = centre.port
        let plainStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: plainCount, by: concurrency) {
                        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"),
                                                                timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1024)
                    }
                }
            }
            try await group.waitForAll()
        }
        let plainRate = Double(plainCount) / (ContinuousClock.now - plainStart).seconds
        try await client.shutdown()

        // The drain, timed and measured from the forwarder's READY=1.
        let environment = ["KIOSK_CONFIG": config.path, "KIOSK_STATE": state.path, "LANG": "C.UTF-8"]
        let socket = try NotifyListener()
        let forwarder = try DaemonProcess([tool("kioskd"), "forwarder"], environment: environment,
                                          notifySocket: socket.path, terminal: false)
        defer { forwarder.stop() }
        guard socket.waitFor("READY=1", timeout: 30) else { throw ValidationError("kioskd forwarder did not say READY=1") }
        let start = ContinuousClock.now
        let cpu = CPUSampler([forwarder.pid, centre.daemon.pid])
        let queue = try DatabaseQueue(path: database, configuration: { var c = Configuration(); c.readonly = true; return c }())
        while try Self.pending(queue) > 0 {
            if forwarder.hasExited { throw ValidationError("kioskd forwarder stopped during the drain") }
            cpu.sample()
            try await Task.sleep(for: .milliseconds(100))
        }
        let seconds = (ContinuousClock.now - start).seconds
        cpu.sample()
        let (forwarderCPU, centreCPU) = (cpu.seconds(forwarder.pid), cpu.seconds(centre.daemon.pid))
        let centreDatabase = try DatabaseQueue(path: centreState.appendingPathComponent("center.sqlite").path,
                                               configuration: { var c = Configuration(); c.readonly = true; return c }())
        let held = try await centreDatabase.read { try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT id) FROM submissions") ?? 0 }
        guard held == count else { throw ValidationError("the centre holds \(held) of \(count) requests") }

        var idlePercent = -1.0
        if idle > 0 {
            // What became of each request reaches the kiosk with the next
            // heartbeat: real work, not idling, so the window starts after it.
            if try await !Self.progressCaughtUp(kiosk: queue, centre: centreDatabase, within: .seconds(150)) {
                emit("(the forwarder was still fetching progress after 150 s: the idle figure includes it)")
            }
            try await Task.sleep(for: .seconds(2))
            let idleCPU = CPUSampler([forwarder.pid])
            for _ in 0..<idle {
                try await Task.sleep(for: .seconds(1))
                idleCPU.sample()
            }
            idlePercent = idleCPU.seconds(forwarder.pid) / Double(idle) * 100
        }
        return DrainResult(rate: Double(count) / seconds, plainRate: plainRate, forwarderCPU: forwarderCPU / Double(count),
                           centreCPU: centreCPU / Double(count), idlePercent: idlePercent)
    }

    /// Whether the kiosk has fetched every change the centre has for it
    /// (the same changes the centre's progress answer holds), waiting up to `limit`.
    static func progressCaughtUp(kiosk: DatabaseQueue, centre: DatabaseQueue, within limit: Duration) async throws -> Bool {
        let last = try await centre.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MAX(id) FROM case_events
                WHERE from_state IS NULL OR from_state != to_state OR action = 'refer'
                """) ?? 0
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let held = try await kiosk.read { try Int64.fetchOne($0, sql: "SELECT MAX(centre_id) FROM progress") ?? 0 }
            if held >= last { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    /// Requests not yet forwarded, read the way either build keeps them:
    /// from the kept counts, or (a baseline without them) by counting.
    static func pending(_ queue: DatabaseQueue) throws -> Int {
        try queue.read { db in
            if try db.tableExists("queue_counts") {
                return try Int.fetchOne(db, sql: "SELECT SUM(n) FROM queue_counts WHERE state IN ('queued', 'sending')") ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submissions WHERE state IN ('queued', 'sending')") ?? 0
        }
    }

    /// A baseline from before queue counts refuses a database with newer
    /// migrations: take this build's additions out again (the rows stay).
    static func downgradeForBaseline(_ path: String) throws {
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                DROP TRIGGER IF EXISTS queue_counts_insert;
                DROP TRIGGER IF EXISTS queue_counts_update;
                DROP TRIGGER IF EXISTS queue_counts_delete;
                DROP TABLE IF EXISTS queue_counts;
                DROP INDEX IF EXISTS submissions_pending_age;
                DROP INDEX IF EXISTS submissions_due;
                DELETE FROM grdb_migrations WHERE identifier IN ('v4-queue-counts', 'v5-queue-due-times');
                """)
        }
    }
}

/// CPU time processes use over a window, to the nanosecond: each thread's
/// schedstat, sampled now and then (clock ticks are too coarse for an idle
/// daemon). A thread that ends between samples loses only its time since
/// the last sample.
final class CPUSampler {
    private var last: [pid_t: [String: Int]] = [:]
    private var used: [pid_t: Int] = [:]

    init(_ pids: [pid_t]) {
        for pid in pids { last[pid] = Self.threads(pid) }
    }

    func sample() {
        for (pid, before) in last {
            let now = Self.threads(pid)
            for (thread, nanoseconds) in now { used[pid, default: 0] += nanoseconds - (before[thread] ?? 0) }
            last[pid] = now
        }
    }

    /// CPU seconds `pid` used between the first and the last sample.
    func seconds(_ pid: pid_t) -> Double { Double(used[pid] ?? 0) / 1e9 }

    private static func threads(_ pid: pid_t) -> [String: Int] {
        var times: [String: Int] = [:]
        for thread in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/schedstat", encoding: .utf8),
                  let first = text.split(separator: " ").first, let value = Int(first) else { continue }
            times[thread] = value
        }
        return times
    }
}
