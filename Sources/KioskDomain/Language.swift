/// The two languages every resident-facing text exists in.
/// Simplified Chinese is the kiosk's default; English is one key away.
public enum Language: String, Sendable, Codable, CaseIterable, Hashable {
    case chinese = "zh-Hans"
    case english = "en"

    public static let `default`: Language = .chinese
}

/// A text a resident may read, in both languages. Configuration refuses one
/// that lacks either, so `self[language]` never falls back silently.
public struct LocalizedText: Sendable, Codable, Hashable {
    public var chinese: String
    public var english: String

    public init(chinese: String, english: String) {
        self.chinese = chinese
        self.english = english
    }

    public subscript(language: Language) -> String {
        switch language {
        case .chinese: chinese
        case .english: english
        }
    }

    enum CodingKeys: String, CodingKey {
        case chinese = "zh-Hans"
        case english = "en"
    }
}
