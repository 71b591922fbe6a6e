import CentreConfig
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import NIOCore

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
                guard trusted.contains(hop), let previous = IPAddress.bytes(of: entry) else { break }
                hop = previous
            }
        }
        return key(of: hop)
    }

    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case let .v4(v4): return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case let .v6(v6): return IPAddress.unmapped(withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        default: return nil
        }
    }

    static func key(of bytes: [UInt8]) -> String {
        bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : bytes[0..<8].hexString + "::/64"
    }
}

extension HTTPField.Name {
    package static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

extension ClientAddress {
    /// Whom a request comes from, on a listener whose context knows its peer.
    public static func key(of request: Request, context: some RemoteAddressRequestContext,
                           trusted: TrustedProxies) -> String {
        key(peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor], trusted: trusted)
    }
}
