import ArgumentParser
import AsyncHTTPClient
import Foundation
import IntakeProtocol
import Hummingbird
import KioskCenter
import KioskConfig
import KioskDomain
import KioskForwarder
import KioskStore
import Logging
import NIOCore

/// `kiosk-bench drain`: a backlog of queued requests drained to a loopback
/// centre, both sides durable (WAL, synchronous=FULL), against plain HTTP
/// round trips to the same server with the same concurrency, same run.
struct DrainBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain", abstract: "Drain a backlog to a loopback centre (goal >= 500 requests/s; ratio: drain/plain HTTP).")

    @Option(help: "Queued requests to drain.")
    var count = 10_000

    @Option(help: "Configuration folder (default: $KIOSK_CONFIG or ./kiosk-config).")
    var config: String?

    func run() async throws {
        var configuration = try ConfigurationLoader.load(from: URL(fileURLWithPath:
            config ?? ProcessInfo.processInfo.environment["KIOSK_CONFIG"] ?? "kiosk-config"))
        let folder = try scratchFolder(nil, "drain")
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical

        // The centre, in this process, on a free loopback port.
        let intakeKey = try CentrePrivateKey(rawBytes: CentrePrivateKey.generate())
        let centre = try CenterStore(path: folder.appendingPathComponent("center.sqlite").path,
                                     sealKey: Array(repeating: 4, count: 32), intakeKey: intakeKey)
        let secret = CredentialStore.hexBytes(try centre.addKiosk(configuration.identity.kioskCode))!
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(router: IntakeServer.router(store: centre, logger: logger),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.run() }
        var port = 0
        for await bound in ports { port = bound; break }
        configuration.forwarder.centreURL = URL(string: "http://127.0.0.1:\(port)")!

        // The backlog.
        let store = try KioskStore(
            path: folder.appendingPathComponent("kiosk.sqlite").path, centreKey: intakeKey.publicKey,
            issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode, timeZone: configuration.identity.timeZone))
        let draft = SubmitBenchmark().sampleDraft(configuration)
        for _ in 0..<count {
            _ = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
        }

        // Plain round trips to the same server, same concurrency.
        let client = try Forwarder.makeClient(configuration.forwarder)
        let plainCount = 4000
        let concurrency = configuration.forwarder.concurrency
        let serverPort = port
        let plainStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: plainCount, by: concurrency) {
                        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(serverPort)/health"),
                                                                timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1024)
                    }
                }
            }
            try await group.waitForAll()
        }
        let plainRate = Double(plainCount) / (ContinuousClock.now - plainStart).seconds

        // The drain.
        let stop = StopFlag()
        let forwarder = Forwarder(store: store, settings: configuration.forwarder, kioskCode: configuration.identity.kioskCode,
                                  secret: secret, client: client, logger: logger, stop: stop)
        let drainStart = ContinuousClock.now
        let running = Task { await forwarder.run() }
        while try store.queueSummary().pending > 0 { try await Task.sleep(for: .milliseconds(20)) }
        let drainSeconds = (ContinuousClock.now - drainStart).seconds
        stop.set()
        await running.value
        try await client.shutdown()
        server.cancel()
        _ = await server.result

        let counts = try centre.submissionCounts()
        let drainRate = Double(count) / drainSeconds
        print("kiosk-bench drain: \(count) requests, concurrency \(configuration.forwarder.concurrency), loopback, both sides synchronous=FULL")
        print(String(format: "drain                         %.1f s, %.0f requests/s (goal >= 500)", drainSeconds, drainRate))
        print(String(format: "plain HTTP round trips        %.0f requests/s", plainRate))
        print("centre holds                  \(counts.total) (distinct ids \(counts.distinctIDs))")
        print(String(format: "ratio %.2f", drainRate / plainRate))
    }
}
