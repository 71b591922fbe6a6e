extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte. Digests and signatures are made
    /// for every request; `String(format: "%02x")` a byte at a time was a
    /// tenth of the forwarder's and the centre's time per request.
    public var hexString: String {
        let digits: StaticString = "0123456789abcdef"
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        digits.withUTF8Buffer { digits in
            for byte in self {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
