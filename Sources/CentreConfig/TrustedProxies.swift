import Foundation
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
            guard (1...2).contains(parts.count), let bytes = IPAddress.bytes(of: String(parts[0])) else {
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

    package func contains(_ bytes: [UInt8]) -> Bool { ranges.contains { $0.contains(bytes) } }
}

/// An IP address as bytes, the form the proxy ranges and the limits compare.
public enum IPAddress {
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

    /// An IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is that IPv4 address.
    package static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return bytes
    }
}
