import ArgumentParser
import Foundation
import KioskForwarder
import KioskMetrics
import Logging
import ServiceLifecycle
import ServiceNotify

extension Kioskd {
    /// The forwarder role: queued requests to the centre, and heartbeats.
    struct Forwarder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send queued requests to the centre until SIGTERM; the batch in flight finishes first.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            ProcessHardening.forbidMemoryAccess()
            let logger = Logger(label: "kioskd-forwarder")
            let environment = try KioskEnvironment.open(options, access: .service)
            let secret: [UInt8]
            do { secret = try environment.credentials.key(named: environment.config.credentials.centreSecret) } catch {
                throw CommandFailure(description: "refusing to start: \(error.description)")
            }
            let metrics = options.startMetrics(role: "forwarder", logger: logger)
            let settings = environment.config.forwarder
            let client = try KioskForwarder.Forwarder.makeClient(settings)
            let stop = StopFlag()
            let forwarder = KioskForwarder.Forwarder(
                store: environment.store, settings: settings, kioskCode: environment.config.identity.kioskCode,
                secret: secret, client: client, logger: logger, stop: stop, notifier: ServiceNotifier(),
                healthReport: { try? KioskHealth.gather(environment).heartbeatHealth })
            logger.notice("forwarder ready", metadata: ["centre.url": "\(settings.centreURL.absoluteString)"])
            // SIGTERM and SIGINT ask for a graceful stop, through ServiceLifecycle.
            let group = ServiceGroup(services: [ForwardingService(forwarder: forwarder, stop: stop, client: client)],
                                     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
            metrics.flush()
        }
    }
}

/// The forwarder as ServiceLifecycle runs it: a graceful shutdown sets the
/// stop flag, the requests in flight finish, the claimed ones not yet sent
/// go back to the queue, then the connection to the centre closes.
struct ForwardingService: Service {
    let forwarder: KioskForwarder.Forwarder
    let stop: StopFlag
    let client: CentreClient

    func run() async throws {
        await withGracefulShutdownHandler {
            await forwarder.run()
        } onGracefulShutdown: {
            stop.set()
        }
        try? await client.shutdown()
    }
}
