#if canImport(Glibc)
import Glibc
#endif

/// Whether a URL's host is this machine, decided by parsing it as an
/// address: `127.0.0.1.attacker.example` starts like a loopback address
/// but is a name anyone can point anywhere.
public enum LoopbackAddress {
    /// `localhost`, an IPv4 address in 127.0.0.0/8, `::1` (with or without
    /// brackets) or an IPv4-mapped `::ffff:127.x.y.z`.
    public static func isLoopback(host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        return bytes.prefix(12).elementsEqual([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]) && bytes[12] == 127
    }
}
