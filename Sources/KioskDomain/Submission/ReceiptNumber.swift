/// The number on a resident's receipt: `<kiosk>-<yymmdd>-<sequence>-<check>`,
/// e.g. `JA0301-261129-0042-2`.
///
/// Made on the kiosk with no central counter: the kiosk code makes it unique
/// across the district, the local date and a daily sequence within the kiosk.
/// The check character (ISO 7064 MOD 37,36 over the other letters and digits)
/// catches any single wrong character and any swap of neighbours, so a number
/// read out over the phone or mistyped by staff is caught at once.
public struct ReceiptNumber: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let kioskCode: String
    /// The kiosk's local date as `yymmdd`.
    public let day: String
    public let sequence: Int
    public let check: Character

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case format
        case checkCharacter

        public var description: String {
            switch self {
            case .format: "not a receipt number (KIOSK-YYMMDD-NNNN-C)"
            case .checkCharacter: "the check character does not match: a character is wrong or two are swapped"
            }
        }
    }

    public init(kioskCode: String, day: String, sequence: Int) {
        precondition(Self.isValidKioskCode(kioskCode) && day.utf8.count == 6 && sequence > 0)
        self.kioskCode = kioskCode
        self.day = day
        self.sequence = sequence
        self.check = Self.checkCharacter(for: kioskCode + day + Self.format(sequence: sequence))
    }

    public init?(_ description: String) {
        try? self.init(parsing: description)
    }

    public init(parsing raw: String) throws(ParseError) {
        let parts = raw.trimmingWhitespace().uppercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4,
              Self.isValidKioskCode(String(parts[0])),
              parts[1].utf8.count == 6, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              parts[2].utf8.count >= 4, parts[2].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let sequence = Int(parts[2]), sequence > 0,
              parts[3].count == 1, let check = parts[3].first
        else { throw .format }
        let body = String(parts[0]) + String(parts[1]) + String(parts[2])
        guard Self.checkCharacter(for: body) == check else { throw .checkCharacter }
        self.kioskCode = String(parts[0])
        self.day = String(parts[1])
        self.sequence = sequence
        self.check = check
    }

    public var description: String {
        "\(kioskCode)-\(day)-\(Self.format(sequence: sequence))-\(check)"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Kiosk codes are 2–12 upper-case letters and digits.
    public static func isValidKioskCode(_ code: String) -> Bool {
        (2...12).contains(code.utf8.count) && code.utf8.allSatisfy { alphabetValue($0) != nil }
    }

    static func format(sequence: Int) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    static func alphabetValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x5A: Int(byte - 0x41) + 10
        default: nil
        }
    }

    /// ISO 7064 hybrid system MOD 37,36: the character that, appended, makes
    /// the running product come out at 1.
    static func checkCharacter(for body: String) -> Character {
        let m = 36
        var p = m
        for byte in body.utf8 {
            guard let value = alphabetValue(byte) else { continue }
            var s = (p + value) % m
            if s == 0 { s = m }
            p = (s * 2) % (m + 1)
        }
        return alphabet[(m + 1 - p) % m]
    }
}
