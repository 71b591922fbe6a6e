import Foundation
import Testing
@testable import QRCode

@Suite struct QRCodeTests {
    @Test func matrixHasFinderPatternsAndQuietZone() throws {
        let matrix = try QREncoder.encode("KR1.JA0301-261129-0042-7", correction: .medium)
        #expect(matrix.size >= 21 && (matrix.size - 21) % 4 == 0)
        // The top-left finder pattern: a dark 7×7 ring around a light ring.
        for i in 0..<7 {
            #expect(matrix[i, 0] && matrix[0, i] && matrix[i, 6] && matrix[6, i])
        }
        #expect(!matrix[1, 1] && matrix[3, 3])
        #expect(!matrix[-1, 0] && !matrix[matrix.size, 0])
    }

    @Test func higherCorrectionNeedsNoFewerModules() throws {
        let text = String(repeating: "A1b2", count: 12)
        #expect(try QREncoder.encode(text, correction: .high).size >= QREncoder.encode(text, correction: .low).size)
    }

    @Test func emptyTextIsAnError() {
        #expect(throws: QRError.self) { try QREncoder.encode("") }
    }

    /// Draws the matrix as a PGM image with a 4-module quiet zone and has
    /// zbar, a real QR reader, decode it.
    @Test func zbarDecodesTheMatrixToTheSameText() throws {
        let text = "KR1.JA0301-261129-0042-7.20261129T1000.Qm9ndXM"
        let matrix = try QREncoder.encode(text)
        let scale = 6, quiet = 4
        let side = (matrix.size + 2 * quiet) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side where matrix[x / scale - quiet, y / scale - quiet] {
                pixels[y * side + x] = 0
            }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        var file = Data("P5\n\(side) \(side)\n255\n".utf8)
        file.append(contentsOf: pixels)
        try file.write(to: url)

        let zbar = Process()
        zbar.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        zbar.arguments = ["--nodbus", "--quiet", "--raw", url.path]
        let output = Pipe()
        zbar.standardOutput = output
        try zbar.run()
        zbar.waitUntilExit()
        let decoded = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(zbar.terminationStatus == 0)
        #expect(decoded.trimmingCharacters(in: .newlines) == text)
    }
}
