import IntakeProtocol
import Foundation
import KioskDomain
import Testing
@testable import Receipts

@Suite struct ReceiptTokenTests {
    /// The wire's hex (body digests, signatures, acknowledgements), against
    /// the SHA-256 test vector of FIPS 180-2 and bytes at both ends of a digit.
    @Test func requestDigestsAreTheStandardHex() {
        #expect(RequestSigner.bodyDigest(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect([UInt8]([0x00, 0x0f, 0xa0, 0xff]).hexString == "000fa0ff")
        #expect(RequestSigner.newSecret().count == 64)
    }

    let key = ReceiptKey(bytes: Array(repeating: 7, count: 32))
    let receipt = ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42)
    let issued = Date(timeIntervalSince1970: 1_795_917_600)

    /// The progress code: four digits, the same for a receipt whenever it is
    /// made or checked, another for another receipt or another kiosk's key.
    @Test func theProgressCodeIsFourDigitsOfTheReceiptAndItsKey() throws {
        let first = ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42)
        let code = key.progressCode(for: first)
        #expect(code.count == 4 && code.allSatisfy(\.isNumber))
        #expect(ReceiptToken(receiptNumber: first, issuedAt: Date(), key: key).progressCode == code)
        #expect(key.checks(progressCode: code, for: first) && !key.checks(progressCode: code + "0", for: first))
        let codes = Set((1...200).map { key.progressCode(for: ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: $0)) })
        #expect(codes.count > 150, "codes spread over the 10,000: \(codes.count) distinct of 200")
        #expect(ReceiptKey(bytes: Array(repeating: 8, count: 32)).progressCode(for: first) != code
                || ReceiptKey(bytes: Array(repeating: 9, count: 32)).progressCode(for: first) != code)
    }

    @Test func signsAndVerifies() throws {
        let token = ReceiptToken(receiptNumber: receipt, issuedAt: issued, key: key)
        #expect(token.description.hasPrefix("K1.JA0301-261129-0042-"))
        let verified = try ReceiptToken(verifying: token.description, key: key)
        #expect(verified.receiptNumber == receipt)
        #expect(verified.kioskCode == "JA0301")
        #expect(verified.issuedAt == issued)
    }

    @Test func staysWithin64CharactersWithTheLongestKioskCode() {
        let long = ReceiptNumber(kioskCode: "ABCDEFGHIJKL", day: "991231", sequence: 99_999)
        let token = ReceiptToken(receiptNumber: long, issuedAt: Date(timeIntervalSince1970: 4_102_444_800), key: key)
        #expect(token.description.count <= 64)
    }

    @Test func anyChangedCharacterIsRejected() {
        let token = Array(ReceiptToken(receiptNumber: receipt, issuedAt: issued, key: key).description)
        for index in token.indices {
            var altered = token
            altered[index] = altered[index] == "A" ? "B" : "A"
            #expect(throws: ReceiptToken.VerificationError.self, "\(String(altered))") {
                try ReceiptToken(verifying: String(altered), key: key)
            }
        }
    }

    @Test func anotherKioskKeyIsRejected() {
        let token = ReceiptToken(receiptNumber: receipt, issuedAt: issued, key: key)
        #expect(throws: ReceiptToken.VerificationError.badSignature) {
            try ReceiptToken(verifying: token.description, key: ReceiptKey(bytes: Array(repeating: 8, count: 32)))
        }
    }

    @Test func unknownVersionsAndJunkAreNamed() {
        let token = ReceiptToken(receiptNumber: receipt, issuedAt: issued, key: key).description
        #expect(throws: ReceiptToken.VerificationError.unknownVersion("K2")) {
            try ReceiptToken(verifying: "K2" + token.dropFirst(2), key: key)
        }
        #expect(throws: ReceiptToken.VerificationError.malformed) { try ReceiptToken(verifying: "hello", key: key) }
    }

    @Test func aURLPrefixedTokenVerifies() throws {
        let token = ReceiptToken(receiptNumber: receipt, issuedAt: issued, key: key)
        let payload = token.qrPayload(urlPrefix: "https://jingan.example.gov.cn/r/")
        #expect(try ReceiptToken(verifying: payload, key: key).receiptNumber == receipt)
    }
}
