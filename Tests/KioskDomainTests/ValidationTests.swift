import Testing
@testable import KioskDomain

@Suite struct PhoneNumberTests {
    @Test(arguments: ["13800138000", "138 0013 8000", "138-0013-8000", "19912345678"])
    func acceptsMobiles(_ text: String) throws {
        let phone = try PhoneNumber(parsing: text)
        #expect(phone.kind == .mobile)
        #expect(phone.digits.count == 11)
    }

    @Test(arguments: [("021-62481234", "021-62481234"), ("02162481234", "021-62481234"),
                      ("010 8765432", "010-8765432"), ("0755-1234567", "0755-1234567"),
                      ("075512345678", "0755-12345678")])
    func acceptsLandlines(_ text: String, _ stored: String) throws {
        let phone = try PhoneNumber(parsing: text)
        #expect(phone.kind == .landline)
        #expect(phone.digits == stored)
    }

    @Test(arguments: ["12800138000", "1380013800", "138001380000", "138OO138000", "+8613800138000",
                      "021-0248123", "021-12345", "abc", "13800138000\u{1B}[2J"])
    func refusesWrongNumbers(_ text: String) {
        #expect(throws: ValidationError(.phone, .phoneFormat)) { try PhoneNumber(parsing: text) }
    }

    @Test func emptyIsRequired() {
        #expect(throws: ValidationError(.phone, .required)) { try PhoneNumber(parsing: "  ") }
    }
}

@Suite struct ResidentIDTests {
    let today = (year: 2026, month: 11, day: 29)

    @Test(arguments: ["11010519491231002X", "110101199003071234".withCheckDigit, "31010620000229001".withComputedCheck])
    func acceptsValidNumbers(_ text: String) throws {
        #expect(try ResidentID(parsing: text, today: today).value == text.uppercased())
    }

    @Test func lowerCaseXIsAccepted() throws {
        #expect(try ResidentID(parsing: "11010519491231002x", today: today).value == "11010519491231002X")
    }

    @Test func wrongCheckDigitIsCaught() {
        #expect(throws: ValidationError(.residentID, .residentIDChecksum)) {
            try ResidentID(parsing: "110105194912310021", today: today)
        }
    }

    @Test(arguments: ["31010619990229001", "31010620261130001", "31010618991231001", "31010620001301001",
                      "31010620000431001"])
    func unrealBirthDatesAreRefused(_ body: String) {
        #expect(throws: ValidationError(.residentID, .residentIDBirthDate)) {
            try ResidentID(parsing: body.withComputedCheck, today: today)
        }
    }

    @Test(arguments: ["1101051949123100", "1101051949123100211", "11010519491231002Y", "X10105194912310021"])
    func malformedNumbersAreFormatErrors(_ text: String) {
        #expect(throws: ValidationError(.residentID, .residentIDFormat)) {
            try ResidentID(parsing: text, today: today)
        }
    }
}

@Suite struct TextRuleTests {
    @Test func trimsAndAcceptsChinese() throws {
        #expect(try TextRule.name.check("  王小明 ", field: .name) == "王小明")
        #expect(try TextRule.name.check("阿依古丽·买买提", field: .name) == "阿依古丽·买买提")
    }

    @Test(arguments: ["a\u{1B}[31mb", "a\u{07}", "x\u{202E}y", "line\nbreak", "\u{9B}31m"])
    func refusesControlCharacters(_ text: String) {
        #expect(throws: ValidationError(.name, .controlCharacters)) { try TextRule.name.check(text, field: .name) }
    }

    @Test func limitsCharactersAndBytes() {
        #expect(throws: ValidationError(.name, .tooLong(maxCharacters: 30))) {
            try TextRule.name.check(String(repeating: "王", count: 31), field: .name)
        }
        let rule = TextRule(maxCharacters: 10, maxBytes: 12, required: false)
        #expect(throws: ValidationError(.description, .tooManyBytes(maxBytes: 12))) {
            try rule.check("😀😀😀😀", field: .description)
        }
        #expect(throws: ValidationError(.name, .required)) { try TextRule.name.check(" ", field: .name) }
    }

    @Test func removingUnsafeScalarsKeepsText() {
        #expect("a\u{1B}b\u{202E}c王".removingUnsafeScalars == "abc王")
    }
}

extension String {
    /// Test helper: replaces the last character with the right check digit.
    var withCheckDigit: String { String(dropLast()).withComputedCheck }

    var withComputedCheck: String {
        let sum = zip(self.prefix(17).map { Int(String($0))! }, ResidentID.weights).reduce(0) { $0 + $1.0 * $1.1 }
        return String(self.prefix(17)) + String(ResidentID.checkCharacters[sum % 11])
    }
}
