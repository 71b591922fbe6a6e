import ArgumentParser
import CentreConfig
import CentreConsole
import CentreIntake
import CentreOperations
import CentreStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KioskConfig
import KioskMetrics
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import ServiceNotify

/// `kiosk-center serve`: the kiosks' intake API and the staff console, each
/// on its own listener, until SIGTERM; closed cases past retention are
/// erased at start and daily.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the intake API and the staff console until SIGTERM.")
    @OptionGroup var options: CenterOptions
    @Option(help: "Address the intake API listens on.") var host = "127.0.0.1"
    @Option(help: "Intake API port (0: any free port, printed at start).") var port = 8740
    @Option(help: "Address the staff console listens on.") var consoleHost = "127.0.0.1"
    @Option(help: "Staff console port (0: any free port, printed at start).") var consolePort = 8741
    @Option(help: ArgumentHelp("PEM certificate chain: both listeners speak HTTPS (then they may listen beyond loopback).",
                               valueName: "FILE"))
    var tlsCertificate: String?
    @Option(help: ArgumentHelp("PEM private key of --tls-certificate.", valueName: "FILE"))
    var tlsKey: String?

    func validate() throws {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-certificate and --tls-key go together")
        }
    }

    func run() async throws {
        // Every request opened here, and the keys that open them, are in this memory.
        ProcessHardening.forbidMemoryAccess()
        // The page cache and request buffers are reused from commit to commit, not returned and faulted in again.
        ProcessMemory.keepFreedMemory(upTo: 64 << 20)
        // Without TLS both listeners speak plain HTTP: requests, personal data
        // in the console and staff passwords must not cross a network that way.
        let tls = try tlsConfiguration()
        for (flag, address) in [("--host", host), ("--console-host", consoleHost)]
        where tls == nil && !LoopbackAddress.isLoopback(host: address) {
            throw CenterFailure("""
                refusing to listen on \(address) (\(flag)) in plain HTTP: give --tls-certificate and --tls-key, \
                or listen on loopback behind the district's TLS proxy
                """)
        }
        LoggingSystem.bootstrap(JournalLogHandler.init)
        // Counted from the first request on, read at GET /metrics.
        ProcessMetrics.bootstrap()
        let logger = Logger(label: "kiosk-center")
        let config = try options.loadConfiguration()
        let store = try await options.open(config)
        let envelopes = IntakeEnvelopes(key: try options.intakeKey())
        let views: ConsoleViews
        do { views = try ConsoleViews(assets: options.assetsDirectory) } catch {
            throw CenterFailure("refusing to start: \(error)")
        }
        let notifier = ServiceNotifier()
        let listening = ListenerCount(expected: 2) {
            notifier.ready(status: "intake \(host):\($0[0]) · console \(consoleHost):\($0[1])")
        }
        // Tests and scripts read the two lines each listener prints for its port.
        let intake = try listener(IntakeController(store: store, envelopes: envelopes, logger: logger, partners: config.partners,
                                                   trustedProxies: config.trustedProxies).router(), host: host, port: port,
                                  name: "kiosk-center", connections: ListenerLimits.intakeConnections, tls: tls,
                                  guarding: ListenerLimits.intakeGuard(config), logger: logger) { bound in
            FileHandle.standardOutput.write(Data("listening on \(host):\(bound)\n".utf8))
            listening.bound(bound, slot: 0)
        }
        let console = try listener(ConsoleController(store: store, config: config, views: views, logger: logger, tls: tls != nil,
                                                 metricsToken: try options.metricsToken()).router(),
                                   host: consoleHost, port: consolePort, name: "kiosk-center-console",
                                   connections: ListenerLimits.consoleConnections, tls: tls,
                                   guarding: ListenerLimits.consoleGuard(config), logger: logger) { bound in
            FileHandle.standardOutput.write(Data("console on http://\(consoleHost):\(bound)/\n".utf8))
            listening.bound(bound, slot: 1)
        }
        let group = ServiceGroup(
            services: [intake, console, RetentionService(store: store, retention: config.retention, logger: logger),
                       WatchdogService(store: store, notifier: notifier)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        notifier.stopping()
    }
}

/// What one listener allows, so a flood of connections cannot starve the
/// kiosks: idle connections close, a request's head and body each have a
/// deadline however slowly their bytes trickle in, headers are bounded, one
/// client address holds only so many connections, and past the cap new
/// connections wait in the kernel's backlog until a slot frees instead of
/// using up file descriptors.
enum ListenerLimits {
    /// A request's head must be complete this long after its connection
    /// opened (or the previous answer ended).
    static let headDeadline: TimeAmount = .seconds(10)
    /// The intake answers a slow body itself (408 at `IntakeController.bodyTimeout`); this closes what still hangs.
    static let intakeBodyDeadline: TimeAmount = .seconds(15)
    static let consoleBodyDeadline: TimeAmount = .seconds(10)
    /// Connections one member of staff's address may hold on the console.
    static let consoleConnectionsPerAddress = 32

    static func intakeGuard(_ config: CenterConfiguration) -> ConnectionGuard.Settings {
        .init(headDeadline: headDeadline, bodyDeadline: intakeBodyDeadline,
              counts: ConnectionCounts(cap: config.intakeConnectionsPerAddress), trusted: config.trustedProxies)
    }

    static func consoleGuard(_ config: CenterConfiguration) -> ConnectionGuard.Settings {
        .init(headDeadline: headDeadline, bodyDeadline: consoleBodyDeadline,
              counts: ConnectionCounts(cap: consoleConnectionsPerAddress), trusted: config.trustedProxies)
    }

    /// Open connections each listener serves at once: together well inside
    /// the 1,024 descriptors a service gets by default, with room for the
    /// database and logs. Kiosks are many, staff are few.
    static let intakeConnections = 800
    static let consoleConnections = 100
    /// A connection with no request in progress (or a half-sent head) is closed after this.
    static let idleTimeout: TimeAmount = .seconds(5)
    static let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 64)
}

extension Serve {
    /// The server side of TLS from the PEM files, or nil without them.
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard let tlsCertificate, let tlsKey else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tlsCertificate).map { NIOSSLCertificateSource.certificate($0) }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain,
                                                            privateKey: .privateKey(try NIOSSLPrivateKey(file: tlsKey, format: .pem)))
        } catch {
            throw CenterFailure("refusing to start: cannot read the TLS certificate or key: \(error)")
        }
    }

    /// One HTTP listener; `bound` hears the port it got (0 asks for any free one).
    func listener<Context: RequestContext>(
        _ router: Router<Context>, host: String, port: Int, name: String, connections: Int, tls: TLSConfiguration?,
        guarding: ConnectionGuard.Settings, logger: Logger, bound: @escaping @Sendable (Int) -> Void
    ) throws -> some Service where Context.Source == ApplicationRequestContextSource {
        let http: HTTPServerBuilder = .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(guarding)],
                                                                  idleTimeout: ListenerLimits.idleTimeout,
                                                                  httpDecoderConfiguration: ListenerLimits.decoder))
        return Application(router: router,
                    server: try tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
                    configuration: .init(address: .hostname(host, port: port), serverName: name,
                                         availableConnectionsDelegate: MaximumAvailableConnections(connections)),
                    onServerRunning: { channel in bound(channel.localAddress?.port ?? port) }, logger: logger)
    }
}

/// Says READY once both listeners are bound.
final class ListenerCount: @unchecked Sendable {
    private let lock = NSLock()
    private var ports: [Int]
    private var left: Int
    private let ready: ([Int]) -> Void

    init(expected: Int, ready: @escaping ([Int]) -> Void) {
        ports = Array(repeating: 0, count: expected)
        left = expected
        self.ready = ready
    }

    func bound(_ port: Int, slot: Int) {
        let done: [Int]? = lock.withLock {
            ports[slot] = port
            left -= 1
            return left == 0 ? ports : nil
        }
        if let done { ready(done) }
    }
}

/// Erases closed cases' personal data and old heartbeats past retention:
/// at start, then daily.
struct RetentionService: Service {
    let store: CenterStore
    let retention: CenterRetention
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let cutoff = Date().addingTimeInterval(-Double(retention.eraseClosedAfterDays) * 86400)
            do {
                let erased = try await store.eraseClosedCases(closedBefore: cutoff, actor: "retention")
                if erased > 0 { logger.notice("erased closed cases past retention", metadata: ["cases.count": "\(erased)"]) }
            } catch {
                logger.error("cannot erase closed cases past retention", metadata: ["error": "\(error)"])
            }
            do {
                try await store.deleteHeartbeats(receivedBefore: Date().addingTimeInterval(-Double(retention.keepHeartbeatsDays) * 86400))
            } catch {
                logger.error("cannot delete old heartbeats", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(86400)) }
        }
    }
}

/// The centre's requests wait on its database; the watchdog pings only after
/// a read of it returns, so a wedged store stops them and systemd restarts us.
struct WatchdogService: Service {
    let store: CenterStore
    let notifier: ServiceNotifier

    func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if (try? await store.probe()) != nil { notifier.loopAlive() }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval / 2) }
        }
    }
}
