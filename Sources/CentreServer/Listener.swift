import CentreConfig
import CentreOperations
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

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

/// The centre's two HTTP listeners, made the same way.
enum Listener {
    /// One HTTP listener; `bound` hears the port it got (0 asks for any free one).
    static func make<Context: RequestContext>(
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
