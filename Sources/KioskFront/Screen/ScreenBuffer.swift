/// How a cell is drawn. High contrast only: bold, reverse video and
/// underline; meaning is never carried by colour alone.
public struct CellStyle: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellStyle(rawValue: 1)
    public static let reverse = CellStyle(rawValue: 2)
    public static let underline = CellStyle(rawValue: 4)
}

/// One terminal cell. A wide character sits in its first cell; the cell
/// after it is a `continuation` that the renderer never writes.
public struct Cell: Sendable, Hashable {
    public var character: Character
    public var style: CellStyle
    public var isContinuation: Bool

    public static let blank = Cell(character: " ", style: [], isContinuation: false)
}

/// A grid of cells: what `view` produces and the renderer draws.
public struct ScreenBuffer: Sendable, Hashable {
    public let columns: Int
    public let rows: Int
    var cells: [Cell]

    public init(columns: Int, rows: Int) {
        self.columns = max(1, columns)
        self.rows = max(1, rows)
        cells = Array(repeating: .blank, count: self.columns * self.rows)
    }

    public subscript(column: Int, row: Int) -> Cell {
        get { cells[row * columns + column] }
        set { cells[row * columns + column] = newValue }
    }

    /// Writes text from a column, clipped at the right edge; a wide
    /// character that would not fit whole is left out. Returns the next column.
    @discardableResult
    public mutating func write(_ text: String, column start: Int, row: Int, style: CellStyle = []) -> Int {
        guard row >= 0, row < rows else { return start }
        var column = start
        for character in text {
            let width = CharacterWidth.of(character)
            if width == 0 { continue }
            guard column >= 0, column + width <= columns else { break }
            self[column, row] = Cell(character: character, style: style, isContinuation: false)
            if width == 2 { self[column + 1, row] = Cell(character: " ", style: style, isContinuation: true) }
            column += width
        }
        return column
    }

    /// Fills a run of cells with a style (a selected option's bar).
    public mutating func fill(row: Int, from: Int, to: Int, style: CellStyle) {
        guard row >= 0, row < rows else { return }
        for column in max(0, from)..<min(columns, to) {
            self[column, row].style.formUnion(style)
        }
    }

    /// Each row as text, trailing spaces kept off: snapshots and tests read this.
    public var text: String {
        (0..<rows).map { row in
            var line = ""
            for column in 0..<columns where !self[column, row].isContinuation {
                line.append(self[column, row].character)
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
