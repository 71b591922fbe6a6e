/// The receipt scanner is a keyboard wedge: it types the QR code's text and
/// Enter, faster than anyone types. On a choice screen its digits would
/// choose options, so keys that could begin a token are held back: a whole
/// token followed by Enter becomes one `.scanned` event, and anything else
/// is let through unchanged, at once when it stops looking like a token or
/// when input pauses (`flushPending`). A resident typing a "K" in a name
/// sees it a moment later, nothing more.
public struct ScanDetector: Sendable {
    /// What a scanned QR code starts with: the configured URL prefix, then `K1.`.
    let prefix: [Character]
    /// Longest token after the prefix (ReceiptToken: at most 64).
    static let maxTokenLength = 64
    private var held: [InputEvent] = []
    private var text: [Character] = []

    public init(urlPrefix: String) {
        prefix = Array(urlPrefix + "K1.")
    }

    public var hasPending: Bool { !held.isEmpty }

    public mutating func feed(_ events: [InputEvent]) -> [InputEvent] {
        var out: [InputEvent] = []
        for event in events {
            switch event {
            case let .character(character) where couldContinue(with: character):
                held.append(event)
                text.append(character)
            case .enter where text.count > prefix.count:
                out.append(.scanned(String(text)))
                held = []
                text = []
            default:
                out += flushPending()
                // The key that broke a held run may itself begin a token.
                if case let .character(character) = event, couldContinue(with: character) {
                    held.append(event)
                    text.append(character)
                } else {
                    out.append(event)
                }
            }
        }
        return out
    }

    /// Input paused: what was held was typed, not scanned.
    public mutating func flushPending() -> [InputEvent] {
        defer {
            held = []
            text = []
        }
        return held
    }

    private func couldContinue(with character: Character) -> Bool {
        if text.count < prefix.count { return prefix[text.count] == character }
        guard text.count < prefix.count + Self.maxTokenLength, character.isASCII else { return false }
        return character.isLetter || character.isNumber || character == "-" || character == "_" || character == "."
    }
}
