import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The proxies whose `X-Forwarded-For` the centre believes (center.yaml's
/// `intake.trusted_proxies`): single addresses or CIDR ranges, IPv4 or IPv6.
/// Behind the district's TLS proxy every connection comes from the proxy, so
/// a limit per peer address would be one limit for the whole district; only
/// a configured proxy may say who is behind it (anyone else could claim any
/// address in the header and walk the limits).
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var bits = prefix
            for (a, b) in zip(address, bytes) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    private let ranges: [Range]

    public static let none = TrustedProxies(ranges: [])

    private init(ranges: [Range]) { self.ranges = ranges }

    /// From `["10.0.0.5", "192.168.1.0/24", "::1"]`, or the first entry that is no address or range.
    public static func parse(_ entries: [String]) -> Result<TrustedProxies, InvalidEntry> {
        var ranges: [Range] = []
        for entry in entries {
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let bytes = ClientAddress.bytes(of: String(parts[0])) else {
                return .failure(InvalidEntry(entry: entry))
            }
            let width = bytes.count * 8
            guard let prefix = parts.count == 2 ? Int(parts[1]) : width, (0...width).contains(prefix) else {
                return .failure(InvalidEntry(entry: entry))
            }
            ranges.append(Range(bytes: bytes, prefix: prefix))
        }
        return .success(TrustedProxies(ranges: ranges))
    }

    public struct InvalidEntry: Error, Sendable, Equatable {
        public let entry: String
    }

    public var isEmpty: Bool { ranges.isEmpty }

    func contains(_ bytes: [UInt8]) -> Bool { ranges.contains { $0.contains(bytes) } }
}

/// Whom a request comes from, as the limits count it: the peer's address,
/// or, when the peer is a trusted proxy, the address the proxies say they
/// received it from (the rightmost in `X-Forwarded-For` not itself a trusted
/// proxy). IPv4 as dotted quad; IPv6 as its /64, since one host is given a
/// whole /64 and could walk it.
public enum ClientAddress {
    public static func key(peer: SocketAddress?, forwardedFor: [String], trusted: TrustedProxies) -> String {
        guard var hop = peer.flatMap(bytes(of:)) else { return "unknown" }
        if !trusted.isEmpty {
            let chain = forwardedFor.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
            for entry in chain.reversed() {
                guard trusted.contains(hop), let previous = bytes(of: entry) else { break }
                hop = previous
            }
        }
        return key(of: hop)
    }

    /// An address's bytes (4 for IPv4, 16 for IPv6; an IPv4-mapped IPv6 address is its IPv4), by `inet_pton`.
    public static func bytes(of text: String) -> [UInt8]? {
        var four = in_addr()
        if inet_pton(AF_INET, text, &four) == 1 { return withUnsafeBytes(of: four) { Array($0) } }
        var six = in6_addr()
        // "[::1]" as a proxy may write it, or with a zone.
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        guard inet_pton(AF_INET6, bare, &six) == 1 else { return nil }
        return unmapped(withUnsafeBytes(of: six) { Array($0) })
    }

    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case let .v4(v4): return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case let .v6(v6): return unmapped(withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        default: return nil
        }
    }

    /// An IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is that IPv4 address.
    static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return bytes
    }

    static func key(of bytes: [UInt8]) -> String {
        bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : bytes[0..<8].hexString + "::/64"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// Both listeners' request context: Hummingbird's basics and the peer's
/// address, which the limits key on (through `ClientAddress`).
public struct PeerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
