import KioskDomain

/// Decodes the bytes a terminal sends into input events.
///
/// UTF-8 with invalid bytes replaced (U+FFFD, then dropped as unprintable);
/// CSI and SS3 escape sequences for arrows and function keys; bracketed
/// paste (`ESC [200~ … ESC [201~`, capped in size); SGR 1006 mouse reports
/// (`ESC [<b;x;yM`), of which a left-button press is a tap. Unknown
/// sequences are swallowed whole, so nothing of them reaches the screen:
/// CSI and SS3 with any parameters and modifiers, and the string sequences
/// (OSC, DCS, SOS, PM, APC) up to their terminator. Nothing on input is
/// trusted: no forced unwrap, no arithmetic a byte can overflow.
public struct InputDecoder: Sendable {
    /// A paste larger than this is cut: no text field holds more.
    public static let maxPasteBytes = 16 * 1024
    /// Longest escape sequence kept before it is dropped as junk.
    static let maxSequence = 64

    private var pending: [UInt8] = []
    private var paste: [UInt8]?
    /// Inside an OSC, DCS, SOS, PM or APC string: bytes are dropped until ST
    /// (`ESC \`) or, for OSC, BEL.
    private var inString = false

    public init() {}

    /// Whether bytes are held back waiting for the rest of a sequence; a
    /// lone ESC is only known to be the Esc key once input pauses, and a
    /// paste or string sequence left open ends when input pauses.
    public var hasPending: Bool { !pending.isEmpty || paste != nil || inString }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [InputEvent] {
        pending.append(contentsOf: bytes)
        var events: [InputEvent] = []
        var index = 0
        while index < pending.count {
            if inString {
                guard let end = stringEnd(from: index) else {
                    // Keep a final ESC: it may begin the terminator.
                    index = pending.last == 0x1B ? pending.count - 1 : pending.count
                    break
                }
                inString = false
                index = end
                continue
            }
            if paste != nil {
                guard let end = find(pasteEnd, from: index) else {
                    appendPaste(pending[index...])
                    index = pending.count
                    break
                }
                appendPaste(pending[index..<end])
                events.append(.paste(Self.clean(paste!)))
                paste = nil
                index = end + pasteEnd.count
                continue
            }
            let byte = pending[index]
            if byte == 0x1B {
                switch decodeEscape(at: index) {
                case .incomplete: break
                case let .event(event, length):
                    if let event { events.append(event) }
                    index += length
                    continue
                case let .pasteStart(length):
                    paste = []
                    index += length
                    continue
                case let .stringStart(length):
                    inString = true
                    index += length
                    continue
                }
                break
            }
            if byte < 0x80 {
                switch byte {
                case 0x0D, 0x0A: events.append(.enter)
                case 0x7F, 0x08: events.append(.backspace)
                case 0x09: events.append(.tab)
                case 0x20...0x7E: events.append(.character(Character(Unicode.Scalar(byte))))
                default: break // other controls: ignored
                }
                index += 1
                continue
            }
            // UTF-8: decode one scalar, replacing invalid bytes.
            let length = Self.sequenceLength(byte)
            if length == 0 { index += 1; continue }
            if index + length > pending.count {
                // Maybe the rest is still coming; but a broken lead must not stall input.
                if pending[(index + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) { break }
                index += 1
                continue
            }
            let slice = pending[index..<(index + length)]
            if let scalar = Self.decodeScalar(slice), !scalar.isUnsafeForScreen {
                events.append(.character(Character(scalar)))
                index += length
            } else {
                index += 1
            }
        }
        pending.removeFirst(index)
        if pending.count > Self.maxSequence { pending.removeAll() }
        return events
    }

    /// Input paused with bytes held back: a lone ESC was the Esc key; a
    /// paste without its end is what arrived (a terminal sends a paste in one
    /// go, so a pause means the end marker was lost, and keys must not be
    /// swallowed until the idle wipe); an unterminated string is dropped.
    public mutating func flushPending() -> [InputEvent] {
        defer {
            pending.removeAll()
            paste = nil
            inString = false
        }
        if let paste { return [.paste(Self.clean(paste + pending))] }
        return pending == [0x1B] && !inString ? [.escape] : []
    }

    /// Where a string sequence ends (just past its terminator), if it does in `pending`.
    private func stringEnd(from start: Int) -> Int? {
        var index = start
        while index < pending.count {
            if pending[index] == 0x07 { return index + 1 }
            if pending[index] == 0x1B, index + 1 < pending.count {
                // ST ends the string; any other ESC also ends it (a terminal never nests them).
                return pending[index + 1] == UInt8(ascii: "\\") ? index + 2 : index
            }
            index += 1
        }
        return nil
    }

    private let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

    private enum EscapeResult { case incomplete, event(InputEvent?, Int), pasteStart(Int), stringStart(Int) }

    private func decodeEscape(at start: Int) -> EscapeResult {
        guard start + 1 < pending.count else { return .incomplete }
        let second = pending[start + 1]
        if second == 0x1B { return .event(.escape, 1) }
        if second == UInt8(ascii: "O") {
            guard start + 2 < pending.count else { return .incomplete }
            let event: InputEvent? = switch pending[start + 2] {
            case UInt8(ascii: "A"): .up
            case UInt8(ascii: "B"): .down
            case UInt8(ascii: "C"): .right
            case UInt8(ascii: "D"): .left
            case UInt8(ascii: "H"): .home
            case UInt8(ascii: "F"): .end
            case UInt8(ascii: "P"): .function(1)
            case UInt8(ascii: "Q"): .function(2)
            case UInt8(ascii: "R"): .function(3)
            case UInt8(ascii: "S"): .function(4)
            default: nil
            }
            return .event(event, 3)
        }
        // OSC, DCS, SOS, PM, APC: a string up to its terminator.
        if [UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"), UInt8(ascii: "_")].contains(second) {
            return .stringStart(2)
        }
        guard second == UInt8(ascii: "[") else {
            // ESC followed by something else: Alt+key; keep neither.
            return .event(nil, 2)
        }
        // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, a final 0x40–0x7E.
        var index = start + 2
        while index < pending.count {
            let byte = pending[index]
            if (0x40...0x7E).contains(byte) {
                let body = Array(pending[(start + 2)..<index])
                let length = index - start + 1
                if body == Array("200".utf8), byte == UInt8(ascii: "~") { return .pasteStart(length) }
                return .event(Self.csiEvent(body, final: byte), length)
            }
            guard (0x20...0x3F).contains(byte) else { return .event(nil, index - start) }
            index += 1
            if index - start > Self.maxSequence { return .event(nil, index - start) }
        }
        return .incomplete
    }

    static func csiEvent(_ body: [UInt8], final: UInt8) -> InputEvent? {
        let text = String(decoding: body, as: UTF8.self)
        // `17;2` for Shift+F6: the key's number, then modifiers (ignored).
        let key = text.split(separator: ";", omittingEmptySubsequences: false).first.flatMap { Int($0) }
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "M") where text.hasPrefix("<"):
            // SGR mouse press: <button;column;row (1-based). Left button, no motion.
            let parts = text.dropFirst().split(separator: ";").compactMap { Int($0) }
            guard parts.count == 3, parts[0] & ~0b11100 == 0, parts[1] >= 1, parts[2] >= 1 else { return nil }
            return .tap(column: parts[1] - 1, row: parts[2] - 1)
        case UInt8(ascii: "~"):
            guard let key else { return nil }
            switch key {
            case 1, 7: return .home
            case 3: return .delete
            case 4, 8: return .end
            case 5: return .pageUp
            case 6: return .pageDown
            case 11: return .function(1)
            case 12: return .function(2)
            case 13: return .function(3)
            case 14: return .function(4)
            case 15: return .function(5)
            case 17...21: return .function(key - 11) // F6…F10 (16 is unused)
            case 23, 24: return .function(key - 12) // F11, F12
            default: return nil
            }
        default: return nil
        }
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard pending.count - start >= needle.count else { return nil }
        var index = start
        while index + needle.count <= pending.count {
            if pending[index] == needle[0], Array(pending[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    private mutating func appendPaste(_ bytes: ArraySlice<UInt8>) {
        let room = Self.maxPasteBytes - paste!.count
        if room > 0 { paste!.append(contentsOf: bytes.prefix(room)) }
    }

    /// Pasted text: invalid UTF-8 replaced, control characters and ESC
    /// removed, line breaks turned into spaces.
    static func clean(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\t" {
                scalars.append(" ")
            } else if !scalar.isUnsafeForScreen {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }

    static func decodeScalar(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        if case let .scalarValue(scalar) = decoder.decode(&iterator), scalar.utf8.count == bytes.count {
            return scalar
        }
        return nil
    }
}

extension Unicode.Scalar {
    /// The domain's unsafe scalars and the replacement character for
    /// invalid UTF-8 never reach the screen model.
    var isUnsafeForScreen: Bool { isUnsafeInText || value == 0xFFFD }
}
