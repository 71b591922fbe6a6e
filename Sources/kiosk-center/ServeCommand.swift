import ArgumentParser
import CentreConfig
import CentreConsole
import CentreIntake
import CentreServer
import CentreSMS
import CentreStore
import Foundation
import KioskConfig
import KioskMetrics
import Logging
import NIOSSL
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
        let gateway = try config.messaging.gateway.map { settings in
            KannelGateway(settings: settings, password: try options.gatewayPassword(), keys: store.messageKeys)
        }
        let application = try CentreApplication(
            store: store, envelopes: envelopes, config: config, views: views, gateway: gateway,
            addresses: .init(intakeHost: host, intakePort: port, consoleHost: consoleHost, consolePort: consolePort),
            tls: tls, metricsToken: try options.metricsToken(), notifier: notifier, logger: logger
        ) { listener, port in
            // Tests and scripts read the two lines each listener prints for its port.
            let line = listener == "intake" ? "listening on \(host):\(port)\n" : "console on http://\(consoleHost):\(port)/\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await application.run()
        notifier.stopping()
    }
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
}
