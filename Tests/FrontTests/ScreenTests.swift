import Foundation
import KioskDomain
import Testing
@testable import KioskFront

@Suite struct WidthTests {
    @Test func widthsFollowEastAsianWidth() {
        #expect(CharacterWidth.of("a" as Character) == 1)
        #expect(CharacterWidth.of("王" as Character) == 2)
        #expect(CharacterWidth.of("，" as Character) == 2)
        #expect(CharacterWidth.of("Ａ" as Character) == 2)
        #expect(CharacterWidth.of("·" as Character) == 1, "ambiguous counts as 1")
        #expect(CharacterWidth.of("é" as Character) == 1, "combining accent adds nothing")
        #expect(CharacterWidth.of("\u{200B}" as Character) == 0)
        #expect(CharacterWidth.of("👍" as Character) == 2)
        #expect(CharacterWidth.of("王小明 abc") == 10)
    }

    @Test func wrappingNeverSplitsAWideCharacterOrStartsWithClosingPunctuation() {
        let text = "社区救助顾问会在 3 个工作日内电话联系您。请保管好回执。"
        for width in 5...40 {
            let lines = text.wrapped(toColumns: width)
            #expect(lines.allSatisfy { CharacterWidth.of($0) <= width }, "width \(width)")
            #expect(lines.dropFirst().allSatisfy { !($0.first.map(String.closingPunctuation.contains) ?? false) })
            #expect(lines.joined().replacingOccurrences(of: " ", with: "") == text.replacingOccurrences(of: " ", with: ""))
        }
        #expect("Press any key to continue".wrapped(toColumns: 12) == ["Press any", "key to", "continue"])
    }

    @Test func truncationEndsInAnEllipsisWithinTheWidth() {
        #expect("社区事务受理服务中心".truncated(toColumns: 9) == "社区事务…")
        #expect("short".truncated(toColumns: 9) == "short")
        #expect(CharacterWidth.of("社区事务受理服务中心".truncated(toColumns: 10)) <= 10)
    }

    @Test func aWideCharacterThatDoesNotFitIsLeftOut() {
        var buffer = ScreenBuffer(columns: 5, rows: 1)
        buffer.write("ab王王", column: 0, row: 0)
        #expect(buffer.text == "ab王")
    }
}

@Suite struct RendererTests {
    @Test func oneTypedCharacterCostsFewBytesAgainstAFullRedraw() {
        var flow = FlowDriver()
        flow.toContact()
        flow.type("王小")
        var renderer = Renderer()
        let full = renderer.frame(flow.state.view(columns: 80, rows: 24, context: flow.context).buffer)
        flow.type("明")
        let typed = renderer.frame(flow.state.view(columns: 80, rows: 24, context: flow.context).buffer)
        #expect(typed.count <= 200)
        #expect(typed.count * 5 < full.count)
        #expect(String(decoding: typed, as: UTF8.self).contains("明"))
    }

    /// Seen on the real screen: going from "您的详细地址" to "您家里一共几口人"
    /// left 您 clipped, since only the cells after it were redrawn.
    @Test func aChangeRightAfterAWideCharacterRewritesThatCharacter() {
        var before = ScreenBuffer(columns: 20, rows: 1)
        before.write("您的详细", column: 2, row: 0)
        var after = ScreenBuffer(columns: 20, rows: 1)
        after.write("您家里", column: 2, row: 0)
        var renderer = Renderer()
        _ = renderer.frame(before)
        let change = String(decoding: renderer.frame(after), as: UTF8.self)
        #expect(change.hasPrefix("\u{1B}[1;3H您家里"), "\(change.debugDescription)")
    }

    @Test func anUnchangedFrameWritesNothingAndAWipeClearsTheScrollback() {
        let flow = FlowDriver()
        let buffer = flow.state.view(columns: 80, rows: 24, context: flow.context).buffer
        var renderer = Renderer()
        _ = renderer.frame(buffer)
        #expect(renderer.frame(buffer).isEmpty)
        renderer.invalidate()
        #expect(String(decoding: renderer.frame(buffer), as: UTF8.self).hasPrefix("\u{1B}[0m\u{1B}[H\u{1B}[2J\u{1B}[3J"))
    }
}

@Suite struct InputDecoderTests {
    @Test func decodesKeysArrowsFunctionKeysAndTaps() {
        var decoder = InputDecoder()
        let events = decoder.feed(Array("a王\r\u{7F}\u{1B}[A\u{1B}OB\u{1B}[12~\u{1B}[<0;11;5M\u{1B}[<0;11;5m\t".utf8))
        #expect(events == [.character("a"), .character("王"), .enter, .backspace, .up, .down, .function(2),
                           .tap(column: 10, row: 4), .tab])
    }

    @Test func aLoneEscapeIsTheEscKeyOnceInputPauses() {
        var decoder = InputDecoder()
        #expect(decoder.feed([0x1B]).isEmpty)
        #expect(decoder.hasPending)
        #expect(decoder.flushPending() == [.escape])
    }

    @Test func sequencesSplitAcrossReadsStillDecode() {
        var decoder = InputDecoder()
        #expect(decoder.feed([0x1B, UInt8(ascii: "[")]).isEmpty)
        #expect(decoder.feed([UInt8(ascii: "B")]) == [.down])
        #expect(decoder.feed([0xE7, 0x8E]).isEmpty)
        #expect(decoder.feed([0x8B]) == [.character("王")])
    }

    @Test func invalidUTF8IsDroppedNotShown() {
        var decoder = InputDecoder()
        #expect(decoder.feed([0xFF, 0xC3, 0x28, UInt8(ascii: "x")]) == [.character("("), .character("x")])
    }

    @Test func functionKeysWithModifiersDecodeWithoutCrashing() {
        var decoder = InputDecoder()
        // Shift+F6, Ctrl+F10, Alt+F5, F11, F12, Ctrl+Up, Shift+PageDown, and a key number no keyboard has.
        let events = decoder.feed(Array("\u{1B}[17;2~\u{1B}[21;5~\u{1B}[15;3~\u{1B}[23~\u{1B}[24~\u{1B}[1;5A\u{1B}[6;2~\u{1B}[99999999999999999999;2~x".utf8))
        #expect(events == [.function(6), .function(10), .function(5), .function(11), .function(12), .up, .pageDown,
                           .character("x")])
    }

    @Test func terminalReportsAndStringSequencesAreSwallowedWhole() {
        var decoder = InputDecoder()
        // OSC ended by BEL, OSC and DCS ended by ST, an APC split across reads.
        #expect(decoder.feed(Array("a\u{1B}]11;rgb:1212/3030/4a4a\u{07}b\u{1B}]0;标题\u{1B}\\c\u{1B}P1+r696e646e\u{1B}\\d\u{1B}_ap".utf8))
                == [.character("a"), .character("b"), .character("c"), .character("d")])
        #expect(decoder.feed(Array("c data\u{1B}".utf8)).isEmpty)
        #expect(decoder.feed(Array("\\e".utf8)) == [.character("e")])
    }

    @Test func aPasteWithoutItsEndStopsSwallowingKeysWhenInputPauses() {
        var decoder = InputDecoder()
        #expect(decoder.feed(Array("\u{1B}[200~13912".utf8)).isEmpty)
        #expect(decoder.hasPending, "the loop must wake to end it")
        #expect(decoder.flushPending() == [.paste("13912")])
        #expect(decoder.feed(Array("3\r".utf8)) == [.character("3"), .enter])
        // An unterminated OSC is dropped the same way.
        #expect(decoder.feed(Array("\u{1B}]0;never ends".utf8)).isEmpty)
        #expect(decoder.flushPending().isEmpty)
        #expect(decoder.feed(Array("y".utf8)) == [.character("y")])
    }

    /// Every shape of escape sequence a terminal can send (CSI and SS3 with
    /// parameters, intermediates and modifiers; OSC, DCS, SOS, PM, APC with
    /// either terminator), between plain characters, in random read sizes:
    /// the decoder never crashes and the plain characters, and only they,
    /// come out as characters, in order.
    @Test func everyEscapeSequenceShapeIsSwallowedAndPlainTextSurvives() {
        var random = SplitMix64(seed: 0x5345_5155_454E_4345)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let plain: [Character] = Array("abcXYZ019 王明华，。")
        for _ in 0..<400 {
            var stream: [UInt8] = []
            var expected: [Character] = []
            for _ in 0..<Int(random.next() % 12 + 1) {
                let character = pick(plain)
                expected.append(character)
                stream += Array(String(character).utf8)
                switch random.next() % 4 {
                case 0: // CSI: parameter bytes, intermediates, a final byte
                    var parameters = (0..<Int(random.next() % 8)).map { _ in pick(Array("0123456789;:<=>?".utf8)) }
                    if String(decoding: parameters, as: UTF8.self) == "200" { parameters = [] }
                    let intermediates = (0..<Int(random.next() % 3)).map { _ in UInt8(0x20 + random.next() % 16) }
                    stream += [0x1B, UInt8(ascii: "[")] + parameters + intermediates + [UInt8(0x40 + random.next() % 63)]
                case 1: // SS3
                    stream += [0x1B, UInt8(ascii: "O"), UInt8(0x40 + random.next() % 63)]
                case 2: // a string sequence with any text inside
                    let introducer = pick([UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"),
                                           UInt8(ascii: "_")])
                    let body = (0..<Int(random.next() % 40)).map { _ in pick(Array("0123456789;abc:/+标题 rgb".utf8)) }
                    let terminator: [UInt8] = introducer == UInt8(ascii: "]") && random.next() % 2 == 0
                        ? [0x07] : [0x1B, UInt8(ascii: "\\")]
                    stream += [0x1B, introducer] + body + terminator
                default: break
                }
            }
            var decoder = InputDecoder()
            var characters: [Character] = []
            var offset = 0
            while offset < stream.count {
                let size = Int(random.next() % 9) + 1
                let chunk = stream[offset..<min(stream.count, offset + size)]
                offset += size
                for case let .character(character) in decoder.feed(chunk) { characters.append(character) }
            }
            for case let .character(character) in decoder.flushPending() { characters.append(character) }
            #expect(characters == expected, "\(String(decoding: stream, as: UTF8.self).debugDescription)")
        }
    }

    /// Random bytes never crash the decoder, never produce an event carrying
    /// ESC or another control character, and never put one on the screen.
    @Test func randomBytesNeverCrashOrReachTheScreen() {
        var generator = SplitMix64(seed: 0x4B494F534B)
        var flow = FlowDriver()
        flow.toContact()
        var decoder = InputDecoder()
        for round in 0..<3000 {
            let length = Int(generator.next() % 64) + 1
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 7 == 0 { bytes = Array("\u{1B}[200~".utf8) + bytes }
            if round % 11 == 0 { bytes += Array("\u{1B}[201~".utf8) }
            for event in decoder.feed(bytes) + (round % 5 == 0 ? decoder.flushPending() : []) {
                switch event {
                case let .character(character):
                    #expect(!character.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
                case let .paste(text):
                    #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
                default: break
                }
                if case .tap = event { continue }
                flow.send(.input(event))
                if flow.state.step != .field(.name) {
                    flow = FlowDriver()
                    flow.toContact()
                }
            }
            let screen = flow.state.view(columns: 80, rows: 24, context: flow.context).buffer
            #expect(!screen.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x1B })
        }
    }
}

/// A small, seeded generator: the property test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
