/// How a carrier counts a text message: GSM 7-bit when every character is in
/// the GSM alphabet (160 a message, 153 a part beyond that; ^{}\[~]|€ take
/// two), else UCS-2 (70, then 67 a part, in UTF-16 units) — any Chinese text.
public struct SMSLength: Sendable, Equatable {
    public enum Encoding: String, Sendable { case gsm7, ucs2 }

    public var encoding: Encoding
    /// Septets (GSM) or UTF-16 units (UCS-2).
    public var units: Int
    public var segments: Int

    public init(_ text: String) {
        var septets = 0
        var gsm = true
        for scalar in text.unicodeScalars {
            if Self.basic.contains(scalar) {
                septets += 1
            } else if Self.extended.contains(scalar) {
                septets += 2
            } else {
                gsm = false
                break
            }
        }
        if gsm {
            encoding = .gsm7
            units = septets
            segments = septets <= 160 ? 1 : (septets + 152) / 153
        } else {
            encoding = .ucs2
            units = text.utf16.count
            segments = units <= 70 ? 1 : (units + 66) / 67
        }
    }

    /// The GSM 03.38 basic alphabet.
    static let basic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
            .unicodeScalars)
    /// Its extension table: an escape and the character, two septets each.
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}
