import CentreConfig
import CentreOperations
import Foundation
import KioskConfig
import TestSupport
import Testing

/// The intake behind the district's TLS proxy (center.yaml's
/// `intake.trusted_proxies`): bad signatures sent through the proxy hold back
/// their own sender, never the genuine kiosks behind the same proxy; a
/// client that is no trusted proxy cannot pick its address with X-Forwarded-For.
@Suite(.serialized) struct TrustedProxyTests {
    struct Flood: Decodable {
        var attacker: [Int]
        var genuine: Int
        var signedFromAttacker: Int
        var anotherBad: Int
        var direct: [Int]
    }

    @Test func badSignaturesThroughTheProxyDoNotShutOutTheKiosksBehindIt() throws {
        let config = try CenterProcess.configuration { $0 + "\nintake:\n  trusted_proxies: [127.0.0.2]\n" }
        let centre = try CenterProcess(state: try temporaryFolder("centre-proxy"), config: config)
        let secret = try centre.addKiosk("JA0301")
        let run = try runToEnd(["/usr/bin/python3", repositoryRoot.appendingPathComponent("Tests/Browser/proxy_flood.py").path,
                                String(centre.port), secret, "JA0301"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let flood = try decoder.decode(Flood.self, from: Data(run.stdout.utf8))
        #expect(flood.attacker.prefix(30).allSatisfy { $0 == 401 }, "\(flood.attacker)")
        #expect(flood.attacker.suffix(5).allSatisfy { $0 == 429 }, "the attacker's own address is held back: \(flood.attacker)")
        #expect(flood.genuine == 201, "the genuine kiosk behind the same proxy is served")
        #expect(flood.signedFromAttacker == 201, "a request that verifies is never held back by failures")
        #expect(flood.anotherBad == 401, "another address behind the proxy keeps its own allowance")
        #expect(flood.direct.suffix(5).allSatisfy { $0 == 429 },
                "X-Forwarded-For from a client that is no trusted proxy is not believed: \(flood.direct)")
    }

    @Test func aTrustedProxyThatIsNoAddressIsNamedWithItsLine() throws {
        let config = try CenterProcess.configuration { $0 + "\nintake:\n  trusted_proxies: [127.0.0.2, proxy.district]\n" }
        let lines = try String(contentsOf: config.appendingPathComponent("center.yaml"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).count
        let error = #expect(throws: ConfigurationError.self) { try CenterConfigurationLoader.load(from: config) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("center.yaml:\(lines - 1): intake.trusted_proxies: 'proxy.district'"),
                "\(String(describing: error))")
    }

    @Test func trustedProxiesAreAddressesOrRanges() throws {
        let proxies = try TrustedProxies.parse(["10.0.0.5", "192.168.1.0/24", "::1", "fd00::/8"]).get()
        func key(_ peer: String, _ forwarded: [String]) throws -> String {
            ClientAddress.key(peer: try .init(ipAddress: peer, port: 443), forwardedFor: forwarded, trusted: proxies)
        }
        #expect(try key("10.0.0.5", ["203.0.113.9"]) == "203.0.113.9")
        #expect(try key("192.168.1.77", ["198.51.100.1, 203.0.113.9"]) == "203.0.113.9", "the rightmost hop the proxy saw")
        // A client that put its own X-Forwarded-For in front of the proxy's: only the proxy's entry counts.
        #expect(try key("10.0.0.5", ["1.2.3.4", "203.0.113.9"]) == "203.0.113.9")
        // Through two trusted proxies.
        #expect(try key("10.0.0.5", ["203.0.113.9, 192.168.1.20"]) == "203.0.113.9")
        #expect(try key("203.0.113.50", ["1.2.3.4"]) == "203.0.113.50", "an untrusted peer's header is ignored")
        #expect(try key("10.0.0.5", ["not an address"]) == "10.0.0.5")
        #expect(try key("::1", ["2001:db8:1:2::99"]) == "20010db800010002::/64")
        #expect(try key("fd12::1", ["::ffff:198.51.100.3"]) == "198.51.100.3")
        #expect(try key("10.0.0.6", ["203.0.113.9"]) == "10.0.0.6")
        for bad in ["10.0.0.256", "10.0.0.0/33", "centre.example", "::1/129", "10.0.0.0/"] {
            #expect(throws: TrustedProxies.InvalidEntry.self, "\(bad)") { try TrustedProxies.parse([bad]).get() }
        }
    }
}
