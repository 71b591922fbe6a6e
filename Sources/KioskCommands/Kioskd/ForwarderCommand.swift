import ArgumentParser
import Dispatch
import Foundation
import KioskMetrics
import KioskForwarder
import Logging
import Synchronization
import ServiceNotify
#if canImport(Glibc)
import Glibc
#endif

/// Where the SIGTERM/SIGINT handler writes: the forwarder command's signal pipe.
private let terminationPipe = Atomic<Int32>(-1)

extension Kioskd {
    /// The forwarder role: queued requests to the centre, and heartbeats.
    struct Forwarder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send queued requests to the centre until SIGTERM; the batch in flight finishes first.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
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

            // SIGTERM and SIGINT ask for a graceful stop. The handler only
            // writes a byte to a pipe (async-signal-safe); a thread that waits
            // on the pipe passes it on. Nothing polls.
            // A parent may have left the signals blocked (posix_spawn keeps the mask).
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw CommandFailure(description: "cannot create a pipe for signals") }
            terminationPipe.store(ends[1], ordering: .releasing)
            var unblock = sigset_t()
            sigemptyset(&unblock)
            for number in [SIGTERM, SIGINT] {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = { _ in
                    var byte: UInt8 = 1
                    _ = write(terminationPipe.load(ordering: .acquiring), &byte, 1)
                }
                sigemptyset(&action.sa_mask)
                sigaction(number, &action, nil)
                sigaddset(&unblock, number)
            }
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            let readEnd = ends[0]
            let waiter = Thread {
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) < 0, errno == EINTR {}
                stop.set()
            }
            waiter.start()
            logger.notice("forwarder ready", metadata: ["centre.url": "\(settings.centreURL.absoluteString)"])
            let done = DispatchSemaphore(value: 0)
            Task {
                await forwarder.run()
                try? await client.shutdown()
                done.signal()
            }
            done.wait()
            metrics.flush()
        }
    }
}
