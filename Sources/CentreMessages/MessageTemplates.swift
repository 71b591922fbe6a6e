import Foundation
import KioskDomain

/// The district's message templates (`messages.yaml`): a signature
/// (【签名】, counted in every message, as carriers count it) and one text per
/// kind and language with `{placeholder}`s.
public struct MessageTemplates: Sendable, Hashable {
    public var signature: LocalizedText
    public var texts: [MessageKind: LocalizedText]
    /// The most parts one message may take (each part is charged).
    public var maxSegments: Int

    public init(signature: LocalizedText, texts: [MessageKind: LocalizedText], maxSegments: Int) {
        self.signature = signature
        self.texts = texts
        self.maxSegments = maxSegments
    }

    /// The message as the phone shows it: the signature, then the text with its placeholders filled.
    public func render(_ kind: MessageKind, language: Language, values: [String: String]) -> String {
        let template = kind == .freeText ? "{text}" : texts[kind]?[language] ?? ""
        return signature[language] + Self.fill(template, values)
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = template
        for (key, value) in values { out = out.replacingOccurrences(of: "{\(key)}", with: value) }
        return out
    }

    /// `{deadline}` in words where the centre is: "12月10日 18:00", "10 Dec 18:00".
    public static func deadlineWords(_ date: Date, language: Language, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        let clock = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return language == .chinese ? "\(parts.month ?? 1)月\(parts.day ?? 1)日 \(clock)"
            : "\(parts.day ?? 1) \(months[(parts.month ?? 1) - 1]) \(clock)"
    }

    /// The `{names}` a template uses.
    public static func placeholders(in template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
