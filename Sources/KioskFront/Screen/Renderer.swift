/// Turns screen buffers into terminal output, writing only the cells that
/// changed since the last frame.
///
/// The first frame (and any after `invalidate`) clears and draws all; later
/// frames move the cursor to each changed run and rewrite just that run, so
/// one typed character costs a few dozen bytes, not a screen.
public struct Renderer: Sendable {
    private var previous: ScreenBuffer?

    public init() {}

    /// Forget what the terminal shows (after a resize or a wipe).
    public mutating func invalidate() {
        previous = nil
    }

    public mutating func frame(_ next: ScreenBuffer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        let full = previous == nil || previous!.columns != next.columns || previous!.rows != next.rows
        if full {
            // Reset attributes, clear the screen and the scrollback.
            out += Array("\u{1B}[0m\u{1B}[H\u{1B}[2J\u{1B}[3J".utf8)
        }
        var currentStyle = CellStyle()
        var cursor: (column: Int, row: Int)? = full ? (0, 0) : nil
        for row in 0..<next.rows {
            var column = 0
            while column < next.columns {
                var cell = next[column, row]
                let changed = full ? (cell != .blank) : (cell != previous![column, row])
                if !changed || cell.isContinuation {
                    column += 1
                    continue
                }
                // A run that starts just after a wide character rewrites that
                // character too: foot clips a wide glyph drawn wider than its
                // two cells when only its right neighbour is redrawn.
                if !full, column >= 2, next[column - 1, row].isContinuation, cursor.map({ $0 != (column, row) }) ?? true {
                    column -= 2
                    cell = next[column, row]
                }
                if cursor == nil || cursor! != (column, row) {
                    out += Array("\u{1B}[\(row + 1);\(column + 1)H".utf8)
                }
                if cell.style != currentStyle {
                    out += Self.sgr(cell.style)
                    currentStyle = cell.style
                }
                out += Array(String(cell.character).utf8)
                let width = max(1, CharacterWidth.of(cell.character))
                column += width
                cursor = (column, row)
            }
        }
        if currentStyle != [] { out += Array("\u{1B}[0m".utf8) }
        previous = next
        return out
    }

    static func sgr(_ style: CellStyle) -> [UInt8] {
        var codes = ["0"]
        if style.contains(.bold) { codes.append("1") }
        if style.contains(.underline) { codes.append("4") }
        if style.contains(.reverse) { codes.append("7") }
        return Array("\u{1B}[\(codes.joined(separator: ";"))m".utf8)
    }
}
