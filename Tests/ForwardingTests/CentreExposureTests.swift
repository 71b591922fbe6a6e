import Foundation
import TestSupport
import Testing

/// The centre on a network: a flood of idle and slow-loris connections must
/// not keep a genuine kiosk out (Tests/Browser/centre_flood.py does the flooding).
@Suite(.serialized) struct CentreExposureTests {
    struct Flood: Decodable {
        var served: Bool
        var reference: String
        var idleOpened: Int
        var slowOpened: Int
        var slowClosed: Int
    }

    @Test func aKioskIsServedWhileElevenHundredIdleAndTwoHundredSlowConnectionsAreHeld() throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-flood"))
        let secret = try centre.addKiosk("JA0301")
        // The descriptors a service gets by default.
        let pid = try #require(centre.pid)
        #expect(try runToEnd(["/usr/bin/prlimit", "--pid", "\(pid)", "--nofile=1024:1024"]).status == 0)

        let run = try runToEnd(["/usr/bin/python3", repositoryRoot.appendingPathComponent("Tests/Browser/centre_flood.py").path,
                                "http://127.0.0.1:\(centre.port)", secret, "JA0301"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let flood = try decoder.decode(Flood.self, from: Data(run.stdout.utf8))
        #expect(flood.idleOpened + flood.slowOpened >= 1024, "the flood outnumbered the centre's descriptors: \(run.stdout)")
        #expect(flood.served, "the genuine kiosk was served: \(run.stdout)\(run.stderr)")
        #expect(flood.slowClosed == flood.slowOpened, "every slow-loris connection was closed: \(run.stdout)")
        let log = try String(contentsOf: centre.log, encoding: .utf8)
        #expect(!log.contains("Too many open files"), "\(log.suffix(2000))")
    }
}
