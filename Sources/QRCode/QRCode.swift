import CQRencode

/// How much of a QR code may be damaged and still read (L 7 %, M 15 %,
/// Q 25 %, H 30 %). Receipts default to M.
public enum QRErrorCorrection: String, Sendable, CaseIterable {
    case low = "L", medium = "M", quartile = "Q", high = "H"

    var level: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}

/// A QR code as a square of dark and light modules, without the quiet zone.
/// The terminal renderer and the receipt PDF both draw from this one type.
public struct QRMatrix: Sendable, Hashable {
    public let size: Int
    private let modules: [Bool]

    init(size: Int, modules: [Bool]) {
        precondition(modules.count == size * size)
        self.size = size
        self.modules = modules
    }

    /// Whether the module at column `x`, row `y` is dark; outside the
    /// symbol (the quiet zone) is light.
    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }
}

public struct QRError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Encodes text as a QR code through libqrencode. This type alone owns the
/// C pointers: the `QRcode` is copied out and freed before returning.
public enum QREncoder {
    /// Encodes `text` as 8-bit data, case kept, in the smallest version that fits.
    public static func encode(_ text: String, correction: QRErrorCorrection = .medium) throws(QRError) -> QRMatrix {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw QRError(description: "cannot encode empty text as QR") }
        let code = bytes.withUnsafeBufferPointer { buffer in
            QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, correction.level)
        }
        guard let code else {
            throw QRError(description: "libqrencode could not encode \(bytes.count) bytes (errno \(errno_value()))")
        }
        defer { QRcode_free(code) }
        let size = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: size * size)
        // Bit 0 of each byte is the module's colour; the others are metadata.
        return QRMatrix(size: size, modules: data.map { $0 & 1 == 1 })
    }
}

#if canImport(Glibc)
import Glibc
private func errno_value() -> Int32 { errno }
#else
import Darwin
private func errno_value() -> Int32 { errno }
#endif
