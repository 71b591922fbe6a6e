import Testing
@testable import KioskDomain

@Suite struct ReceiptNumberTests {
    let samples = [
        ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42),
        ReceiptNumber(kioskCode: "K7", day: "270101", sequence: 1),
        ReceiptNumber(kioskCode: "ZZ99XY", day: "261231", sequence: 12345),
    ]

    @Test func formatsAndParsesRoundTrip() throws {
        let number = samples[0]
        #expect(number.description.hasPrefix("JA0301-261129-0042-"))
        #expect(try ReceiptNumber(parsing: number.description) == number)
        #expect(try ReceiptNumber(parsing: " " + number.description.lowercased() + " ") == number)
    }

    @Test func everySingleWrongCharacterIsCaught() {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for number in samples {
            let text = Array(number.description)
            for index in text.indices where text[index] != "-" {
                for replacement in alphabet where replacement != text[index] {
                    var changed = text
                    changed[index] = replacement
                    #expect(throws: ReceiptNumber.ParseError.self, "\(String(changed))") {
                        try ReceiptNumber(parsing: String(changed))
                    }
                }
            }
        }
    }

    @Test func everySwapOfNeighboursIsCaught() {
        for number in samples {
            let text = Array(number.description)
            for index in text.indices.dropLast() where text[index] != text[index + 1] {
                var swapped = text
                swapped.swapAt(index, index + 1)
                #expect(throws: ReceiptNumber.ParseError.self, "\(String(swapped))") {
                    try ReceiptNumber(parsing: String(swapped))
                }
            }
        }
    }

    @Test func malformedNumbersAreFormatErrors() {
        for text in ["", "JA0301", "JA0301-2611-0042-7", "JA0301-261129-42-7", "JA0301-261129-0042-77",
                     "ja 0301-261129-0042-7", "JA0301-261129-0000-0"] {
            #expect(throws: ReceiptNumber.ParseError.format) { try ReceiptNumber(parsing: text) }
        }
    }
}
