/// What the resident did, decoded from the terminal's bytes.
public enum InputEvent: Sendable, Hashable {
    /// A printable character (never a control character or ESC).
    case character(Character)
    case enter, escape, backspace, delete, tab
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    /// Text pasted in one piece (bracketed paste), cleaned of control characters.
    case paste(String)
    /// A tap or click at a cell (0-based), from SGR 1006 mouse reports.
    case tap(column: Int, row: Int)
    /// The text of a QR code the receipt scanner typed (`ScanDetector`), not yet checked.
    case scanned(String)
}
