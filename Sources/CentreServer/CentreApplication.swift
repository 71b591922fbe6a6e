import CentreConfig
import CentreConsole
import CentreIntake
import CentrePartnerAPI
import CentreSMS
import CentreStore
import Foundation
import Hummingbird
import Logging
import NIOSSL
import ServiceLifecycle
import ServiceNotify
import UnixSignals

/// What `kiosk-center serve` runs, built from its parts so a test can run the
/// same thing: the intake listener, the console listener, retention and the
/// watchdog (and, with an SMS gateway, the sender of text messages), in one ServiceGroup that stops gracefully on SIGTERM or SIGINT.
public struct CentreApplication: Sendable {
    /// Where each listener listens (port 0: any free one).
    public struct Addresses: Sendable {
        public var intakeHost: String
        public var intakePort: Int
        public var consoleHost: String
        public var consolePort: Int

        public init(intakeHost: String, intakePort: Int, consoleHost: String, consolePort: Int) {
            self.intakeHost = intakeHost
            self.intakePort = intakePort
            self.consoleHost = consoleHost
            self.consolePort = consolePort
        }
    }

    public let group: ServiceGroup

    /// - Parameters:
    ///   - bound: told each port as its listener gets it (`intake` or `console`), then once both are bound.
    public init(store: CenterStore, envelopes: IntakeEnvelopes, config: CenterConfiguration, views: ConsoleViews,
                gateway: KannelGateway? = nil, addresses: Addresses, tls: TLSConfiguration?, metricsToken: String?, notifier: ServiceNotifier,
                logger: Logger, signals: [UnixSignal] = [.sigterm, .sigint],
                bound: @escaping @Sendable (_ listener: String, _ port: Int) -> Void = { _, _ in },
                ready: @escaping @Sendable (_ intakePort: Int, _ consolePort: Int) -> Void = { _, _ in }) throws {
        let listening = ListenerCount(expected: 2) { ports in
            notifier.ready(status: "intake \(addresses.intakeHost):\(ports[0]) · console \(addresses.consoleHost):\(ports[1])")
            ready(ports[0], ports[1])
        }
        let intakeRoutes = IntakeController(store: store, envelopes: envelopes, logger: logger, partners: config.partners,
                                            trustedProxies: config.trustedProxies).router()
        // Partners' systems reach the centre where kiosks do, each signing with its own secret.
        PartnerAPIController(store: store, config: config, logger: logger).addRoutes(to: intakeRoutes)
        // The SMS gateway's delivery reports and residents' replies come where kiosks do, each address signed.
        if gateway != nil { MessageCallbacks<IntakeContext>(store: store, logger: logger).addRoutes(to: intakeRoutes) }
        let intake = try Listener.make(intakeRoutes, host: addresses.intakeHost, port: addresses.intakePort,
                                       name: "kiosk-center", connections: ListenerLimits.intakeConnections, tls: tls,
                                       guarding: ListenerLimits.intakeGuard(config), logger: logger) { port in
            bound("intake", port)
            listening.bound(port, slot: 0)
        }
        let consoleRoutes = ConsoleController(store: store, config: config, views: views, logger: logger,
                                              tls: tls != nil, metricsToken: metricsToken).router()
        let console = try Listener.make(consoleRoutes, host: addresses.consoleHost, port: addresses.consolePort,
                                        name: "kiosk-center-console", connections: ListenerLimits.consoleConnections,
                                        tls: tls, guarding: ListenerLimits.consoleGuard(config), logger: logger) { port in
            bound("console", port)
            listening.bound(port, slot: 1)
        }
        var services: [any Service] = [intake, console, RetentionService(store: store, retention: config.retention, logger: logger),
                                       WatchdogService(store: store, notifier: notifier)]
        if let gateway { services.append(OutboxSender(store: store, gateway: gateway, config: config, logger: logger)) }
        group = ServiceGroup(
            services: services,
            gracefulShutdownSignals: signals, logger: logger)
    }

    /// Runs until a signal, or `group.triggerGracefulShutdown()`.
    public func run() async throws {
        try await group.run()
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
