import ArgumentParser
import Foundation
import GRDB
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import StorageSupport
#if canImport(Glibc)
import Glibc
#endif

/// `kiosk-bench startup`: `kioskd front` and `kioskd forwarder` from exec to
/// `READY=1` on a state folder holding 100,000 requests, against a process
/// that only opens the same database and reads from it, same run. Then each
/// daemon's RSS idle and after load (the forwarder draining its backlog to
/// a real `kiosk-center`, the front taking thousands of keys).
struct StartupBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Start-up to READY=1 with 100,000 requests (goal <= 200 ms); ratio: slower daemon / opening the database.")

    @Option(help: "Requests in the database.")
    var rows = 100_000

    @Option(help: "Starts measured for each program.")
    var runs = 11

    @Option(help: "Configuration folder (default: $KIOSK_CONFIG or ./kiosk-config).")
    var config: String?

    @Option(help: "Assets folder (default: ./assets).")
    var assets = "assets"

    func run() async throws {
        let shipped = URL(fileURLWithPath: config ?? ProcessInfo.processInfo.environment["KIOSK_CONFIG"] ?? "kiosk-config")
        let folder = try scratchFolder(nil, "startup")
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = folder.appendingPathComponent("state")
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        func tool(_ name: String) -> String { products.appendingPathComponent(name).path }

        // A centre for the load phase; the start-up phase points at a closed
        // port so the backlog stays as it is between runs.
        let centreFolder = folder.appendingPathComponent("centre")
        let code = try ConfigurationLoader.load(from: shipped).identity.kioskCode
        let centreFolders = LoopbackCentre.arguments(state: centreFolder)
        _ = try captureOutput([tool("kiosk-center"), "credentials", "init"] + centreFolders)
        // Two lines: the kiosk's secret, then the centre's public key.
        let enrolment = try captureOutput([tool("kiosk-center"), "kiosk", "add", code] + centreFolders)
            .split(separator: "\n").map(String.init)
        let secret = enrolment.first ?? ""
        let centreKey = try CentrePublicKey(text: enrolment.last ?? "")
        // A closed port and a 1 s timeout: each SIGTERM ends within a second.
        let offline = try configCopy(shipped, into: folder.appendingPathComponent("config-offline"), centrePort: 9,
                                     timeoutSeconds: 1)

        print("filling the database: \(rows) requests …")
        let database = state.appendingPathComponent("kiosk.sqlite").path
        let queued = try fill(database: database, state: state, config: offline, secret: secret, centreKey: centreKey)
        let size = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
        print("database: \(rows) requests (\(queued) queued), \(size >> 20) MiB")

        let environment = ["KIOSK_CONFIG": offline.path, "KIOSK_STATE": state.path,
                           "KIOSK_ASSETS": URL(fileURLWithPath: assets).path, "LANG": "C.UTF-8", "TERM": "xterm-256color"]
        var open = Samples(), forwarder = Samples(), front = Samples(), migrate = Samples()
        for run in 0...runs {
            let measured = run > 0
            open.record(try timeToExit([tool("kiosk-bench"), "open-probe", database], environment: environment), if: measured)
            forwarder.record(try timeToReady([tool("kioskd"), "forwarder"], environment: environment, terminal: false).seconds,
                             if: measured)
            front.record(try timeToReady([tool("kioskd"), "front", "--no-printer"], environment: environment,
                                         terminal: true).seconds, if: measured)
            if run % 4 == 1 {
                migrate.record(try timeToExit([tool("kioskd"), "migrate"], environment: environment), if: measured)
            }
        }
        print(open.line("open database alone"))
        print(forwarder.line("forwarder to READY=1"))
        print(front.line("front to READY=1"))
        print(migrate.line("kioskd migrate (full check)"))

        // Memory: idle after READY, then after load.
        let idleForwarder = try timeToReady([tool("kioskd"), "forwarder"], environment: environment, terminal: false,
                                            settle: 2) { _ in }
        let idleFront = try timeToReady([tool("kioskd"), "front", "--no-printer"], environment: environment,
                                        terminal: true, settle: 2) { terminal in
            // Through the flow and back, again and again: 4,000 keys.
            let keys: [String] = ["\r", "3", "1", "1", "2", "1", "\u{1b}", "\u{1b}", "\u{1b}", "\u{1b}"]
            for index in 0..<4000 {
                _ = keys[index % keys.count].withCString { write(terminal, $0, strlen($0)) }
                if index % 50 == 0 { Thread.sleep(forTimeInterval: 0.01) }
            }
            Thread.sleep(forTimeInterval: 1)
        }
        // The start-up runs met a closed port and pushed retries back: due now.
        try await DatabaseQueue(path: database).write { db in
            try db.execute(sql: "UPDATE submissions SET next_attempt_at = 0 WHERE state = 'queued'")
        }
        let centre = try LoopbackCentre(tool: tool("kiosk-center"), state: centreFolder)
        let online = try configCopy(shipped, into: folder.appendingPathComponent("config-online"), centrePort: centre.port)
        var drainEnvironment = environment
        drainEnvironment["KIOSK_CONFIG"] = online.path
        let configuration = try ConfigurationLoader.load(from: online)
        let store = try KioskStore(
            path: database, centreKey: nil,
            issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode, timeZone: configuration.identity.timeZone),
            check: .none)
        let drained = try timeToReady([tool("kioskd"), "forwarder"], environment: drainEnvironment, terminal: false,
                                      settle: 1) { _ in
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, (try? store.queueSummary().pending) ?? 1 > 0 { Thread.sleep(forTimeInterval: 0.2) }
        }
        centre.stop()
        print(String(format: "forwarder RSS   idle %.1f MB   after draining %d to a centre %.1f MB", megabytes(idleForwarder.idleRSS),
                     queued, megabytes(drained.loadedRSS)))
        print(String(format: "front RSS       idle %.1f MB   after 4,000 keys %.1f MB", megabytes(idleFront.idleRSS),
                     megabytes(idleFront.loadedRSS)))
        let slower = max(forwarder.median, front.median)
        print(String(format: "start-up to READY=1: %.1f ms (goal <= 200 ms) vs %.1f ms to open the database alone",
                     slower * 1000, open.median * 1000))
        print(String(format: "ratio %.2f", slower / open.median))
    }

    func megabytes(_ kilobytes: Int) -> Double { Double(kilobytes) / 1024 }

    /// The shipped configuration with the centre at `127.0.0.1:port`.
    func configCopy(_ shipped: URL, into folder: URL, centrePort: Int, timeoutSeconds: Int? = nil) throws -> URL {
        try FileManager.default.copyItem(at: shipped, to: folder)
        let kiosk = folder.appendingPathComponent("kiosk.yaml")
        let text = try String(contentsOf: kiosk, encoding: .utf8)
        guard let range = text.range(of: #"centre_url: \S+"#, options: .regularExpression) else {
            throw ValidationError("kiosk.yaml has no forwarder.centre_url")
        }
        var edited = text.replacingCharacters(in: range, with: "centre_url: http://127.0.0.1:\(centrePort)")
        if let timeoutSeconds, let timeout = edited.range(of: #"\n  timeout_seconds: \d+"#, options: .regularExpression) {
            edited.replaceSubrange(timeout, with: "\n  timeout_seconds: \(timeoutSeconds)")
        }
        try edited.write(to: kiosk, atomically: true, encoding: .utf8)
        return folder
    }

    /// Real requests through the store, then copies of them in one
    /// transaction: older, forwarded, most of them purged, as a kiosk that
    /// has run for months would hold. Returns how many are still queued.
    func fill(database: String, state: URL, config: URL, secret: String, centreKey: CentrePublicKey) throws -> Int {
        let configuration = try ConfigurationLoader.load(from: config)
        let credentials = CredentialStore(directory: state.appendingPathComponent("credentials"))
        try credentials.writeCentrePublicKey(centreKey, named: configuration.credentials.centrePublicKey)
        try credentials.createKeyIfMissing(named: configuration.credentials.receiptKey)
        try credentials.write([UInt8](hex: secret) ?? [], named: configuration.credentials.centreSecret)
        let originals = min(1000, rows)
        do {
            let store = try KioskStore(path: database, centreKey: centreKey,
                                       issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode,
                                                             timeZone: configuration.identity.timeZone))
            let draft = SubmitBenchmark().sampleDraft(configuration)
            for _ in 0..<originals {
                let submission = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
                try store.enqueuePrintJobs(submissionID: submission.id, copies: ["resident", "centre"], printer: "kiosk-receipt")
            }
        }
        let queue = try DatabaseQueue(path: database)
        try queue.write { db in
            let copies = (rows - originals + originals - 1) / originals
            for copy in 1...max(1, copies) {
                let limit = min(originals, rows - originals - (copy - 1) * originals)
                guard limit > 0 else { break }
                let day: Int64 = 86_400_000
                try db.execute(sql: """
                    INSERT INTO submissions (id, receipt_number, receipt_day, receipt_sequence, created_at, language,
                        programme_id, service_id, hardship, priority, consent_version, consented_at, sealed_personal, state,
                        attempts, next_attempt_at, centre_reference, forwarded_at, purged_at)
                    SELECT substr(id, 1, 24) || printf('%012d', ?1), receipt_number, receipt_day,
                        receipt_sequence + ?1 * 10000, created_at - ?1 * ?2, language, programme_id, service_id, hardship,
                        priority, consent_version, consented_at - ?1 * ?2,
                        CASE WHEN ?1 > 30 THEN NULL ELSE sealed_personal END, 'forwarded', 1, created_at - ?1 * ?2,
                        'C' || ?1 || '-' || receipt_sequence, created_at - ?1 * ?2 + 60000,
                        CASE WHEN ?1 > 30 THEN created_at ELSE NULL END
                    FROM submissions WHERE state = 'queued' ORDER BY created_at LIMIT ?3
                    """, arguments: [copy, day, limit])
                try db.execute(sql: """
                    INSERT INTO print_jobs (submission_id, copy, state, printer, cups_job_id, created_at, updated_at)
                    SELECT id, 'resident', 'completed', 'kiosk-receipt', receipt_sequence, created_at, created_at + 5000
                    FROM submissions WHERE id LIKE '%' || printf('%012d', ?)
                    """, arguments: [copy])
            }
        }
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM submissions WHERE state = 'queued'") ?? 0 }
    }
}

/// `kiosk-bench open-probe DB`: the baseline — a process that opens the
/// kiosk database as the daemons do (GRDB pool, WAL) and reads from it.
struct OpenProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-probe", abstract: "Open a database and read from it (the start-up baseline).",
        shouldDisplay: false)

    @Argument var database: String

    func run() async throws {
        let pool = try DatabasePool(path: database)
        _ = try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM role_status") }
    }
}

/// Seconds from spawn to exit.
func timeToExit(_ words: [String], environment: [String: String]) throws -> Double {
    let start = ContinuousClock.now
    let child = try DaemonProcess(words, environment: environment, notifySocket: nil, terminal: false)
    let status = child.wait()
    guard status == 0 else { throw ValidationError("\(words[1]) exited with status \(status)") }
    return (ContinuousClock.now - start).seconds
}

struct StartResult {
    var seconds: Double
    var idleRSS: Int
    var loadedRSS: Int
}

/// Seconds from spawn to `READY=1` on a notify socket this process owns;
/// with `settle`, also RSS that long after READY and after `load` ran.
/// The daemon is then stopped with SIGTERM.
func timeToReady(_ words: [String], environment: [String: String], terminal: Bool, settle: Double? = nil,
                 load: ((Int32) -> Void)? = nil) throws -> StartResult {
    let socket = try NotifyListener()
    let start = ContinuousClock.now
    let child = try DaemonProcess(words, environment: environment, notifySocket: socket.path, terminal: terminal)
    guard socket.waitFor("READY=1", timeout: 30) else {
        child.stop()
        throw ValidationError("\(words.dropFirst().joined(separator: " ")) did not say READY=1")
    }
    var result = StartResult(seconds: (ContinuousClock.now - start).seconds, idleRSS: 0, loadedRSS: 0)
    if let settle {
        Thread.sleep(forTimeInterval: settle)
        result.idleRSS = residentKilobytes(pid: Int(child.pid))
        load?(child.terminal)
        result.loadedRSS = residentKilobytes(pid: Int(child.pid))
    }
    child.stop()
    return result
}

/// `kiosk-center serve` on a free loopback port.
final class LoopbackCentre {
    let daemon: DaemonProcess
    let port: Int

    /// The console's port ("console on http://127.0.0.1:PORT/").
    let consolePort: Int

    /// - Parameter arguments: the folders (default: the shipped configuration, keys in `state`).
    init(tool: String, state: URL, arguments: [String]? = nil) throws {
        let output = state.appendingPathComponent("serve.out").path
        // Standard output carries "listening on 127.0.0.1:PORT".
        daemon = try DaemonProcess([tool, "serve", "--port", "0", "--console-port", "0"] + (arguments ?? Self.arguments(state: state)),
                                   environment: ["LANG": "C.UTF-8"], notifySocket: nil, terminal: false, output: output)
        let deadline = Date().addingTimeInterval(20)
        var found: Int?, console: Int?
        while Date() < deadline, found == nil || console == nil {
            let lines = (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n") ?? []
            found = lines.first { $0.hasPrefix("listening on") }.flatMap { Int($0.split(separator: ":").last ?? "") }
            console = lines.first { $0.hasPrefix("console on") }
                .flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? "") }
            if found == nil || console == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let found, let console else { throw ValidationError("kiosk-center did not start") }
        port = found
        consolePort = console
    }

    func stop() { daemon.stop() }

    /// The shipped centre configuration and console pages, keys in the state folder.
    static func arguments(state: URL) -> [String] {
        ["--state", state.path, "--config", URL(fileURLWithPath: "center-config").path,
         "--assets", URL(fileURLWithPath: "assets").path]
    }
}
