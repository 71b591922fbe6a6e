/// A mainland resident identity card number (居民身份证号码), GB 11643-1999:
/// a 6-digit region code, an 8-digit birth date, a 3-digit sequence and one
/// ISO 7064 MOD 11-2 check character (0–9 or X).
public struct ResidentID: Sendable, Codable, Hashable {
    public let value: String

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// - Parameter today: the kiosk's local date as (year, month, day); a birth
    ///   date after it, or before 1900, is not real.
    public init(parsing raw: String, today: (year: Int, month: Int, day: Int)) throws(ValidationError) {
        let text = raw.trimmingWhitespace().uppercased()
        if text.isEmpty { throw ValidationError(.residentID, .required) }
        let chars = Array(text.utf8)
        guard chars.count == 18,
              chars[0..<17].allSatisfy({ (0x30...0x39).contains($0) }),
              (0x30...0x39).contains(chars[17]) || chars[17] == UInt8(ascii: "X")
        else { throw ValidationError(.residentID, .residentIDFormat) }

        let digits = chars[0..<17].map { Int($0 - 0x30) }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
        let (year, month, day) = (number(6..<10), number(10..<12), number(12..<14))
        guard year >= 1900, (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
              (year, month, day) <= today
        else { throw ValidationError(.residentID, .residentIDBirthDate) }

        let sum = zip(digits, Self.weights).reduce(0) { $0 + $1.0 * $1.1 }
        guard Character(UnicodeScalar(chars[17])) == Self.checkCharacters[sum % 11] else {
            throw ValidationError(.residentID, .residentIDChecksum)
        }
        self.value = text
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
