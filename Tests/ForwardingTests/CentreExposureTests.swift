import AsyncHTTPClient
import Foundation
import KioskForwarder
import NIOSSL
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
        var slowLasted: Double
        var crowdOpened: Int
        var crowdKept: Int
    }

    @Test func aKioskIsServedWhileElevenHundredIdleAndTwoHundredTricklingConnectionsAreHeld() throws {
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
        #expect(flood.slowClosed == flood.slowOpened, "every slow-loris connection was closed, though it kept trickling: \(run.stdout)")
        // 300 from one address: no more than the per-address cap (200) stay open.
        #expect(flood.crowdOpened == 300 && flood.crowdKept <= 200 && flood.crowdKept > 0, "\(run.stdout)")
        let log = try String(contentsOf: centre.log, encoding: .utf8)
        #expect(!log.contains("Too many open files"), "\(log.suffix(2000))")
    }
}

/// The centre speaking HTTPS itself: a kiosk that trusts its certificate
/// forwards to it, and only with TLS may it listen beyond loopback.
@Suite(.serialized) struct CentreTLSTests {
    /// A self-signed certificate for 127.0.0.1 (openssl), as a district's CA would issue one.
    static func certificate(in folder: URL) throws -> (certificate: String, key: String) {
        let certificate = folder.appendingPathComponent("centre.pem").path, key = folder.appendingPathComponent("centre.key").path
        let made = try runToEnd(["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                 "-nodes", "-days", "2", "-subj", "/CN=centre", "-addext", "subjectAltName=IP:127.0.0.1",
                                 "-keyout", key, "-out", certificate])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (certificate, key)
    }

    /// GET /health with a client that trusts `certificate` (or speaks plain HTTP without one); the status, or nil.
    static func health(_ url: String, trusting certificate: String?) async throws -> UInt? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let certificate { tls.trustRoots = .file(certificate) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        defer { _ = client.shutdown() }
        do {
            let response = try await client.execute(HTTPClientRequest(url: url + "/health"), timeout: .seconds(5))
            return response.status.code
        } catch {
            return nil
        }
    }

    @Test func aKioskForwardsOverHTTPSToTheCentresOwnTLS() async throws {
        let folder = try temporaryFolder("centre-tls")
        let (certificate, key) = try Self.certificate(in: folder)
        let centre = try CenterProcess(state: folder.appendingPathComponent("state"),
                                       serveArguments: ["--tls-certificate", certificate, "--tls-key", key])
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try centre.addKiosk("JA0301"),
                                  centreURL: "https://127.0.0.1:\(centre.port)", caBundle: certificate)
        try kiosk.submit(3)
        #expect(try await kiosk.forwardUntilDrained(timeout: 30))
        #expect(try kiosk.store.records(in: .forwarded).count == 3)
        // Plain HTTP to the same port gets nowhere.
        #expect(try await Self.health("http://127.0.0.1:\(centre.port)", trusting: nil) == nil)
        // The console speaks TLS itself: its cookies are Secure without any setting.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let login = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(centre.consolePort)/login"),
                                             timeout: .seconds(10))
        let cookie = login.headers.first(name: "Set-Cookie") ?? ""
        #expect(cookie.hasPrefix("kc_signin=") && cookie.contains("; Secure"), "\(cookie)")
        try await client.shutdown()
        centre.stop()
    }

    @Test func withTLSTheCentreMayListenBeyondLoopback() async throws {
        let folder = try temporaryFolder("centre-tls-any")
        let (certificate, key) = try Self.certificate(in: folder)
        let centre = try CenterProcess(state: folder.appendingPathComponent("state"),
                                       serveArguments: ["--host", "0.0.0.0", "--tls-certificate", certificate, "--tls-key", key])
        #expect(try await Self.health("https://127.0.0.1:\(centre.port)", trusting: certificate) == 200)
        centre.stop()
    }
}

/// The forwarder tells an address from a name by parsing it, not by its first character.
@Suite struct CentreHostTests {
    @Test func aNameThatStartsWithADigitIsStillAName() {
        for address in ["127.0.0.1", "10.1.2.3", "::1", "[::1]", "fd00::5"] {
            #expect(CentreClient.isIPAddress(address), "\(address)")
        }
        for name in ["1centre.example", "centre.example", "8740.district.example", "localhost", "10.1.2"] {
            #expect(!CentreClient.isIPAddress(name), "\(name)")
        }
    }
}
