import ArgumentParser
import AsyncHTTPClient
import CentreConfig
import CentrePostgres
import CentreSQLite
import CentreStore
import Foundation
import Glibc
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import Logging
import NIOCore
import StorageSupport
#if canImport(Glibc)
#endif

/// `kiosk-bench district`: a district's kiosks (each with its own secret and
/// a backlog) forward at once, as their forwarders do (signed batch POSTs,
/// four at a time a kiosk), to `kiosk-center serve` processes on one
/// PostgreSQL on this machine; a supervisor's console inbox is read during
/// the load. The same load against one process on SQLite, same run, is the
/// baseline: `ratio` is PostgreSQL with two processes over SQLite with one.
struct DistrictBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "district",
        abstract: "150 kiosks forwarding to centre processes on one PostgreSQL (ratio: 2 processes on PostgreSQL / 1 on SQLite, requests/s).")

    @Option(help: "Simulated kiosks.") var kiosks = 150
    @Option(help: "Requests waiting on each kiosk.") var backlog = 100
    @Option(help: "Requests in one POST (the forwarder's batch_size).") var batchSize = 32
    @Option(help: "POSTs in flight a kiosk (the forwarder's concurrency).") var concurrency = 4
    @Option(help: ArgumentHelp("""
        A PostgreSQL to use: postgres://USER@HOST:PORT/NAME of a database the user may create databases beside \
        (default: a private cluster, scripts/postgres-lab).
        """, valueName: "URL"))
    var postgres: String?
    @Option(help: "The password file for --postgres.") var postgresPasswordFile: String?
    @Option(help: "A folder with another build's kiosk-center to run the same load through, same run (before/after).")
    var baseline: String?
    @Option(help: "Kiosk configuration folder.") var kioskConfig = "kiosk-config"
    @Option(help: "Centre configuration folder.") var centerConfig = "center-config"

    func run() async throws {
        let tools = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let folder = try scratchFolder(nil, "district")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (cluster, password, stopCluster) = try startPostgres(folder)
        defer { stopCluster() }

        // One set of keys for every run: the same sealed requests go to each.
        let credentials = folder.appendingPathComponent("credentials")
        let keys = CredentialStore(directory: credentials)
        _ = try keys.createKeyIfMissing(named: "center-seal.key")
        let intakeBytes = CentrePrivateKey.generate()
        let intake = try CentrePrivateKey(rawBytes: intakeBytes)
        try keys.write(intakeBytes, named: "center-intake.key")
        if let password {
            try (password + "\n").write(to: keys.url(for: "center-database.password"), atomically: true, encoding: .utf8)
        }
        let kioskConfiguration = try ConfigurationLoader.load(from: URL(fileURLWithPath: kioskConfig))
        let fleet = try Fleet(kiosks: kiosks, backlog: backlog, batchSize: batchSize,
                              configuration: kioskConfiguration, centreKey: intake.publicKey)

        emit("kiosk-bench district: \(kiosks) kiosks × \(backlog) requests, batches of \(batchSize), "
             + "\(concurrency) POSTs in flight a kiosk, every commit durable (SQLite synchronous=FULL, PostgreSQL fsync)")
        emit("backend    processes  requests/s   POST p50 ms  p99 ms   inbox p50 ms idle  under load  (n)"
             + "   CPU ms a request: centres  database  kiosks")
        var results: [String: Result] = [:]
        // With a baseline, each backend once a build (one process: its CPU a request is the clearest).
        let runs: [(build: String, tools: URL, backend: String, processes: Int)] = baseline.map { other in
            [("sqlite", 1), ("postgres", 1)].flatMap { backend, processes in
                [("this build", tools, backend, processes), ("baseline", URL(fileURLWithPath: other), backend, processes)]
            }
        } ?? [("sqlite", 1), ("postgres", 1), ("postgres", 2)].map { ("this build", tools, $0.0, $0.1) }
        for run in runs {
            let database = run.backend == "sqlite" ? nil : try Self.newDatabase(cluster, password: password)
            let result = try await runDistrict(fleet, database: database, processes: run.processes, folder: folder,
                                               credentials: credentials, tools: run.tools,
                                               name: run.build == "baseline" ? "baseline" : "this")
            results["\(run.build) \(run.backend)-\(run.processes)"] = result
            let perRequest = 1000 / Double(fleet.requests)
            emit(String(format: "%-10@ %9d  %10.0f   %11.1f  %6.1f   %17.1f  %10.1f  (%d)   %24.3f  %8.3f  %6.3f%@",
                        run.backend as NSString, run.processes,
                        result.rate, result.posts.median * 1000, result.posts.percentile(0.99) * 1000,
                        result.idleInbox.median * 1000, result.loadedInbox.median * 1000, result.loadedInbox.values.count,
                        result.centreCPU * perRequest, result.databaseCPU * perRequest, result.benchCPU * perRequest,
                        (baseline == nil ? "" : "   " + run.build) as NSString))
        }
        if baseline != nil {
            for backend in ["sqlite-1", "postgres-1"] {
                let ours = results["this build \(backend)"]!, theirs = results["baseline \(backend)"]!
                emit(String(format: "ratio %@ requests/s, this build / baseline: %.2f", backend as NSString, ours.rate / theirs.rate))
                emit(String(format: "ratio %@ centre CPU a request, this build / baseline: %.2f", backend as NSString,
                            ours.centreCPU / theirs.centreCPU))
                emit(String(format: "ratio %@ inbox median under load / idle: %.2f (baseline %.2f)", backend as NSString,
                            ours.loadedInbox.median / ours.idleInbox.median, theirs.loadedInbox.median / theirs.idleInbox.median))
            }
            let ours = results["this build postgres-1"]!, theirs = results["baseline postgres-1"]!
            emit(String(format: "ratio postgres-1 database CPU a request, this build / baseline: %.2f",
                        ours.databaseCPU / theirs.databaseCPU))
            return
        }
        let rates = results.mapValues(\.rate)
        emit(String(format: "PostgreSQL, 2 processes / 1: %.2f", rates["this build postgres-2"]! / rates["this build postgres-1"]!))
        emit(String(format: "ratio %.2f", rates["this build postgres-2"]! / rates["this build sqlite-1"]!))
    }

    func emit(_ line: String) {
        print(line)
        fflush(nil)
    }

    // MARK: The kiosks

    /// Every kiosk's code, secret and backlog, sealed to the centre's key
    /// and cut into the batches its forwarder would send.
    struct Fleet {
        struct Kiosk {
            var code: String
            var batches: [Data]
        }

        var kiosks: [Kiosk]
        var requests: Int

        init(kiosks count: Int, backlog: Int, batchSize: Int, configuration: KioskConfiguration,
             centreKey: CentrePublicKey) throws {
            let request = try SubmitBenchmark().sampleDraft(configuration)().validate(in: configuration.validationContext(now: Date()))
            let personal = try PersonalData(applicant: request.applicant, description: request.description,
                                            answers: request.answers, triageReasons: request.triage.reasons,
                                            scores: request.triage.scores).encoded()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            kiosks = try (0..<count).map { index in
                let code = String(format: "JD%04d", index + 1)
                let sealed = try (0..<backlog).map { sequence in
                    let header = PlainHeader(
                        submissionID: UUID(), receiptNumber: ReceiptNumber(kioskCode: code, day: "261201", sequence: sequence + 1).description,
                        kioskCode: code, createdAtMilliseconds: now, language: request.language.rawValue,
                        programme: request.programmeID, service: request.serviceID, hardship: request.triage.level.rawValue,
                        consentVersion: request.consent.version, consentedAtMilliseconds: now)
                    return try SealedSubmission(header: header, personal: PersonalEnvelope.seal(personal, to: centreKey, header: header))
                        .encoded()
                }
                let batches = stride(from: 0, to: sealed.count, by: batchSize).map {
                    SubmissionBatch.body(Array(sealed[$0..<min($0 + batchSize, sealed.count)]))
                }
                return Kiosk(code: code, batches: batches)
            }
            requests = count * backlog
        }
    }

    struct Result {
        var rate: Double
        var posts: Samples
        var idleInbox: Samples
        var loadedInbox: Samples
        /// CPU seconds over the load: the centre processes, PostgreSQL's, this process (the kiosks).
        var centreCPU = 0.0
        var databaseCPU = 0.0
        var benchCPU = 0.0
    }

    /// One district: a fresh database, `processes` centres on it, every kiosk enrolled, then the load.
    func runDistrict(_ fleet: Fleet, database: String?, processes: Int, folder: URL, credentials: URL,
                     tools: URL, name: String = "this") async throws -> Result {
        let run = folder.appendingPathComponent("\(name)-\(database == nil ? "sqlite" : "postgres")-\(processes)")
        let config = try Self.centreConfiguration(centerConfig, database: database, into: run.appendingPathComponent("config"))
        let states = (0..<processes).map { run.appendingPathComponent("centre-\($0)") }
        for state in states { try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true) }
        func arguments(_ state: URL) -> [String] {
            ["--state", state.path, "--config", config.path, "--assets", URL(fileURLWithPath: "assets").path,
             "--credentials", credentials.path]
        }
        // Enrolment and a supervisor, straight into the database the centres will open.
        let token: String
        var secrets: [String: [UInt8]] = [:]
        do {
            let keys = CredentialStore(directory: credentials)
            let store: CenterStore
            if let database {
                let settings = try PostgresSettings.parse(database)!.get()
                let password = try? String(contentsOf: keys.url(for: "center-database.password"), encoding: .utf8)
                var quiet = Logger(label: "bench.database")
                quiet.logLevel = .warning
                store = try await CenterStore(database: try await PostgresCenterDatabase(settings, password: password?
                                            .trimmingCharacters(in: .whitespacesAndNewlines), logger: quiet),
                                        sealKey: try keys.key(named: "center-seal.key"))
            } else {
                store = try await CenterStore(path: states[0].appendingPathComponent("center.sqlite").path,
                                        sealKey: try keys.key(named: "center-seal.key"))
            }
            for kiosk in fleet.kiosks { secrets[kiosk.code] = [UInt8](hex: try await store.addKiosk(kiosk.code)) }
            try await store.addStaff("bench.supervisor", role: .supervisor, password: "a password for the bench", actor: "bench")
            let settings = try CenterConfigurationLoader.load(from: config).console
            guard case let .success(session, _) = try await store.signIn("bench.supervisor", password: "a password for the bench",
                                                                   settings: settings) else {
                throw ValidationError("cannot sign in")
            }
            token = session
            // The centres under test open the database themselves.
            store.close()
        }
        let centres = try states.map { try LoopbackCentre(tool: tools.appendingPathComponent("kiosk-center").path, state: $0,
                                                          arguments: arguments($0)) }
        defer { centres.forEach { $0.stop() } }

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = fleet.kiosks.count * concurrency
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Swift.Result<Result, any Error>
        let centreCPU = CPUSampler(centres.map(\.daemon.pid))
        let databaseBefore = Self.postgresTicks(), benchBefore = Self.ownCPU()
        do {
            result = .success(try await load(fleet, secrets: secrets, ports: centres.map(\.port),
                                             inbox: "http://127.0.0.1:\(centres[0].consolePort)/inbox", token: token,
                                             client: client))
        } catch {
            result = .failure(error)
        }
        centreCPU.sample()
        let databaseSeconds = Double(Self.postgresTicks() - databaseBefore) / Double(sysconf(Int32(_SC_CLK_TCK)))
        let benchSeconds = Self.ownCPU() - benchBefore
        try await client.shutdown()
        var measured = try result.get()
        measured.centreCPU = centres.map { centreCPU.seconds($0.daemon.pid) }.reduce(0, +)
        measured.databaseCPU = databaseSeconds
        measured.benchCPU = benchSeconds
        return measured
    }

    /// Every kiosk's backlog at once, the inbox read while it lasts.
    func load(_ fleet: Fleet, secrets: [String: [UInt8]], ports: [Int], inbox: String, token: String,
              client: HTTPClient) async throws -> Result {
        var idle = Samples()
        for round in 0..<40 { idle.record(try await Self.get(inbox, token: token, client: client), if: round >= 10) }
        let reader = Task {
            var loaded = Samples()
            while !Task.isCancelled {
                guard let time = try? await Self.get(inbox, token: token, client: client) else { break }
                loaded.record(time, if: true)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return loaded
        }
        let start = ContinuousClock.now
        let concurrency = self.concurrency
        let posts = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, kiosk) in fleet.kiosks.enumerated() {
                // A kiosk talks to one centre process, as a balancer would keep it.
                let port = ports[index % ports.count]
                let secret = secrets[kiosk.code]!
                for worker in 0..<concurrency {
                    group.addTask {
                        var times: [Double] = []
                        for batch in stride(from: worker, to: kiosk.batches.count, by: concurrency) {
                            times.append(try await Self.post(kiosk.batches[batch], kiosk: kiosk.code, secret: secret,
                                                             port: port, client: client))
                        }
                        return times
                    }
                }
            }
            var all = Samples()
            for try await times in group { for time in times { all.record(time, if: true) } }
            return all
        }
        let seconds = (ContinuousClock.now - start).seconds
        reader.cancel()
        let loaded = await reader.value
        return Result(rate: Double(fleet.requests) / seconds, posts: posts, idleInbox: idle, loadedInbox: loaded)
    }

    /// One signed batch POST, sent again while the centre asks to wait; its time.
    static func post(_ body: Data, kiosk: String, secret: [UInt8], port: Int, client: HTTPClient) async throws -> Double {
        let signer = RequestSigner(secret: secret)
        while true {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(IntakePaths.submissionBatch)")
            request.method = .POST
            let timestamp = Int64(Date().timeIntervalSince1970)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: RequestSigner.codeHeader, value: kiosk)
            request.headers.add(name: RequestSigner.timestampHeader, value: String(timestamp))
            request.headers.add(name: RequestSigner.signatureHeader,
                                value: signer.signature(method: "POST", path: IntakePaths.submissionBatch, timestamp: timestamp, body: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            let started = ContinuousClock.now
            let response = try await client.execute(request, timeout: .seconds(60))
            let answer = try await response.body.collect(upTo: 1 << 20)
            let elapsed = (ContinuousClock.now - started).seconds
            switch response.status.code {
            case 200:
                let results = try JSONDecoder().decode(SubmissionBatchAnswer.self, from: Data(buffer: answer)).results
                guard results.allSatisfy({ $0.status == 201 || $0.status == 200 }) else {
                    throw ValidationError("the centre refused part of a batch from \(kiosk): \(results.map(\.status))")
                }
                return elapsed
            case 429, 503:
                try await Task.sleep(for: .milliseconds(200))
            default:
                throw ValidationError("the centre answered \(response.status.code) to \(kiosk)")
            }
        }
    }

    static func get(_ url: String, token: String, client: HTTPClient) async throws -> Double {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: "kc_session=\(token)")
        let started = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 8 << 20)
        guard response.status == .ok else { throw ValidationError("the inbox answered \(response.status)") }
        return (ContinuousClock.now - started).seconds
    }

    // MARK: Where the CPU goes

    /// Clock ticks every PostgreSQL server process has used (backends start
    /// during a run and are counted whole; none ends before it is over).
    static func postgresTicks() -> Int {
        var total = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.range(of: ")", options: .backwards),
                  stat[..<close.lowerBound].hasSuffix("(postgres") else { continue }
            let fields = stat[close.upperBound...].split(separator: " ")
            // After the name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
            if fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) { total += user + system }
        }
        return total
    }

    /// This process's CPU seconds (user and system).
    static func ownCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    // MARK: The databases

    /// The PostgreSQL to use: `--postgres`, or a private cluster started for this run.
    func startPostgres(_ folder: URL) throws -> (url: String, password: String?, stop: () -> Void) {
        if let postgres {
            let password = try postgresPasswordFile.map {
                try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return (postgres, password, {})
        }
        let lab = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kiosk-bench-postgres-\(getpid())")
        let printed = try captureOutput(["scripts/postgres-lab", "start", lab.path])
        func value(_ name: String) -> String? {
            printed.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }.map { String($0.dropFirst("export \(name)=".count)) }
        }
        guard let url = value("KIOSK_TEST_POSTGRES"), let passwordFile = value("KIOSK_TEST_POSTGRES_PASSWORD_FILE") else {
            throw ValidationError("scripts/postgres-lab did not start a cluster")
        }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return (url, password, {
            _ = try? captureOutput(["scripts/postgres-lab", "stop", lab.path])
            try? FileManager.default.removeItem(at: lab)
        })
    }

    /// A new database beside the cluster's maintenance one; its URL.
    static func newDatabase(_ cluster: String, password: String?) throws -> String {
        let name = "district_bench_\(UUID().uuidString.prefix(8).lowercased())"
        let environment = password.map { ["PGPASSWORD": $0] } ?? [:]
        let words = ["/usr/bin/psql", "--no-psqlrc", "--quiet", cluster, "--command", "CREATE DATABASE \(name)"]
        let child = try DaemonProcess(words, environment: environment.merging(["LANG": "C.UTF-8"]) { $1 },
                                      notifySocket: nil, terminal: false)
        guard child.wait() == 0 else { throw ValidationError("psql could not create \(name)") }
        guard let slash = cluster.range(of: "/", options: .backwards) else { throw ValidationError("--postgres: no database in \(cluster)") }
        return cluster[..<slash.upperBound] + name
    }

    /// The shipped centre configuration (links resolved) with `database:` set.
    static func centreConfiguration(_ shipped: String, database: String?, into folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: shipped)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try Data(contentsOf: source.appendingPathComponent(name)).write(to: folder.appendingPathComponent(name))
        }
        // Every simulated kiosk connects from 127.0.0.1, as no district's kiosks would: lift the per-address cap.
        let file = folder.appendingPathComponent("center.yaml")
        try (try String(contentsOf: file, encoding: .utf8) + "\nintake:\n  connections_per_address: 800\n"
             + (database.map { "database: \($0)\n" } ?? ""))
            .write(to: file, atomically: true, encoding: .utf8)
        return folder
    }
}
