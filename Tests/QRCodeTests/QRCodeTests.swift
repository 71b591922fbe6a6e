import Foundation
import TestSupport
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

    /// zbar, a real QR reader, decodes the matrix to the same text.
    @Test func zbarDecodesTheMatrixToTheSameText() throws {
        let text = "KR1.JA0301-261129-0042-7.20261129T1000.Qm9ndXM"
        let matrix = try QREncoder.encode(text)
        let modules = (0..<matrix.size).map { y in (0..<matrix.size).map { x in matrix[x, y] } }
        #expect(try readQR(modules: modules) == text)
    }
}
