import ArgumentParser
import Dispatch
import Foundation
import KioskForwarder
import Logging
import Synchronization
import ServiceNotify
#if canImport(Glibc)
import Glibc
#endif

extension Kioskd {
    /// The forwarder role: queued requests to the centre, and heartbeats.
    struct Forwarder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send queued requests to the centre until SIGTERM; the batch in flight finishes first.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            ProcessHardening.forbidMemoryAccess()
            let logger = Logger(label: "kioskd-forwarder")
            let environment = try KioskEnvironment.open(options)
            let secret: [UInt8]
            do { secret = try environment.credentials.key(named: environment.config.credentials.centreSecret) } catch {
                throw CommandFailure(description: "refusing to start: \(error.description)")
            }
            let settings = environment.config.forwarder
            let client = try KioskForwarder.Forwarder.makeClient(settings)
            let stop = StopFlag()
            let forwarder = KioskForwarder.Forwarder(
                store: environment.store, settings: settings, kioskCode: environment.config.identity.kioskCode,
                secret: secret, client: client, logger: logger, stop: stop, notifier: ServiceNotifier())

            // SIGTERM and SIGINT ask for a graceful stop, delivered by a
            // dispatch source rather than a handler (no timer polls a flag).
            // A parent may have left the signals blocked (posix_spawn keeps the mask).
            var unblock = sigset_t()
            sigemptyset(&unblock)
            var sources: [any DispatchSourceSignal] = []
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                sigaddset(&unblock, number)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stop.set() }
                source.resume()
                sources.append(source)
            }
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            logger.notice("forwarder ready", metadata: ["centre.url": "\(settings.centreURL.absoluteString)"])
            let done = DispatchSemaphore(value: 0)
            Task {
                await forwarder.run()
                try? await client.shutdown()
                done.signal()
            }
            done.wait()
            sources.forEach { $0.cancel() }
        }
    }
}
