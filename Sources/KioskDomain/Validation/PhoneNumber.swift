/// A mainland China telephone number: mobile (11 digits, 1[3-9]…) or landline
/// (area code 0 + 2–3 digits, then a 7–8 digit local number).
/// Stored as digits only, with one hyphen after a landline's area code.
public struct PhoneNumber: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable { case mobile, landline }

    public let kind: Kind
    public let digits: String

    public var description: String { digits }

    /// Accepts spaces and hyphens between digits as typed; refuses letters and
    /// anything else, so "138-0013-8000" passes and "138OO138000" does not.
    public init(parsing raw: String) throws(ValidationError) {
        var digits = ""
        var separatorAfter: Int?
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case " ", "-":
                if separatorAfter == nil, !digits.isEmpty { separatorAfter = digits.count }
            default: throw ValidationError(.phone, .phoneFormat)
            }
        }
        if digits.isEmpty { throw ValidationError(.phone, .required) }
        let bytes = Array(digits.utf8)
        if bytes.count == 11, bytes[0] == UInt8(ascii: "1"), (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1]) {
            self.kind = .mobile
            self.digits = digits
            return
        }
        guard bytes.first == UInt8(ascii: "0"), bytes.count >= 10, bytes.count <= 12 else {
            throw ValidationError(.phone, .phoneFormat)
        }
        // Area codes are 010 and 02X (3 digits) or 0XXX (4 digits). Prefer the
        // separator the resident typed; otherwise infer from the second digit.
        let areaLength: Int
        if let separatorAfter, separatorAfter == 3 || separatorAfter == 4 {
            areaLength = separatorAfter
        } else {
            areaLength = (bytes[1] == UInt8(ascii: "1") || bytes[1] == UInt8(ascii: "2")) ? 3 : 4
        }
        let localLength = bytes.count - areaLength
        guard (7...8).contains(localLength), bytes[areaLength] != UInt8(ascii: "0") else {
            throw ValidationError(.phone, .phoneFormat)
        }
        self.kind = .landline
        self.digits = String(digits.prefix(areaLength)) + "-" + String(digits.dropFirst(areaLength))
    }
}
