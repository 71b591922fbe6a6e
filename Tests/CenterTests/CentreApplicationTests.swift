import CentreConsole
import CentreIntake
import CentreServer
import Foundation
import IntakeProtocol
import Logging
import ServiceLifecycle
import ServiceNotify
import TestSupport
import Testing

/// What `kiosk-center serve` runs, built and run in the test: both listeners
/// answer with their own routes, and a graceful shutdown ends the run.
@Suite struct CentreApplicationTests {
    @Test func bothListenersAnswerAndAGracefulShutdownEndsTheRun() async throws {
        let centre = try await CenterFixture(.sqlite)
        let views = try ConsoleViews(assets: repositoryRoot.appendingPathComponent("assets"))
        let (ports, announce) = AsyncStream.makeStream(of: (intake: Int, console: Int).self)
        var logger = Logger(label: "centre-application-test")
        logger.logLevel = .critical
        let application = try CentreApplication(
            store: centre.store, envelopes: IntakeEnvelopes(key: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate())),
            config: centre.config, views: views,
            addresses: .init(intakeHost: "127.0.0.1", intakePort: 0, consoleHost: "127.0.0.1", consolePort: 0),
            tls: nil, metricsToken: nil, notifier: ServiceNotifier(environment: [:]), logger: logger, signals: [],
            ready: { intake, console in announce.yield((intake, console)) })
        let running = Task { try await application.run() }
        var next = ports.makeAsyncIterator()
        let bound = try #require(await next.next())
        #expect(bound.intake != bound.console)

        #expect(try httpGet("http://127.0.0.1:\(bound.intake)/health").status == 200)
        #expect(try httpGet("http://127.0.0.1:\(bound.console)/health").status == 200)
        let login = try httpGet("http://127.0.0.1:\(bound.console)/login")
        #expect(login.status == 200 && login.body.contains("登录"))
        // The console's pages are not on the intake listener, nor the kiosks' API on the console's.
        #expect(try httpGet("http://127.0.0.1:\(bound.intake)/login").status == 404)
        #expect(try httpGet("http://127.0.0.1:\(bound.console)/api/v1/submissions").status == 404)
        // The intake's routes are behind its signature check: a GET is the wrong method.
        #expect(try httpGet("http://127.0.0.1:\(bound.intake)/api/v1/submissions").status == 405)

        await application.group.triggerGracefulShutdown()
        try await running.value
    }
}
