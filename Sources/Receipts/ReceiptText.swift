/// Line-breaking hints for receipt text. Pango breaks Chinese between any
/// two characters and breaks after a dash, so a phone number, an opening
/// time or a hotline's name could end up in two pieces on a narrow roll.
/// A word joiner (U+2060, drawn as nothing) between two characters forbids
/// a break there.
public enum ReceiptText {
    public static let wordJoiner: Character = "\u{2060}"

    /// A dash or colon between digits holds them together: "9:00–17:00" and
    /// "021-62481234" never break.
    public static func keepingNumbersWhole(_ text: String) -> String {
        let characters = Array(text)
        var result = ""
        for (index, character) in characters.enumerated() {
            result.append(character)
            let joins: Set<Character> = ["-", "–", "—", ":", "/"]
            if joins.contains(character), index > 0, index + 1 < characters.count,
               characters[index - 1].isNumber, characters[index + 1].isNumber {
                result.append(wordJoiner)
            }
        }
        return result
    }

    /// No break between any two characters of a word; spaces stay places
    /// to break. A Chinese label is one word; an English one breaks between
    /// its words as usual.
    public static func unbreakable(_ text: String) -> String {
        var result = ""
        var previous: Character?
        for character in text {
            if let previous, !previous.isWhitespace, !character.isWhitespace { result.append(wordJoiner) }
            result.append(character)
            previous = character
        }
        return result
    }

    /// `text` with one more break forbidden, the last one still allowed
    /// from the end: the fix for a last line holding a single character,
    /// applied until the line holds two or more.
    public static func joiningOneMoreAtTheEnd(_ text: String) -> String {
        var characters = Array(text)
        var index = characters.count - 1
        while index > 0 {
            if characters[index] != wordJoiner, characters[index - 1] != wordJoiner {
                characters.insert(wordJoiner, at: index)
                return String(characters)
            }
            index -= 1
        }
        return text
    }
}
