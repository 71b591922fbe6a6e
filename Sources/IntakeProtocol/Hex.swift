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

extension Array where Element == UInt8 {
    /// Bytes from hex digits (either case), two a byte; nil for an odd
    /// count or any other character.
    public init?(hex text: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = Self.hexValue(high), let l = Self.hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        self = bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
