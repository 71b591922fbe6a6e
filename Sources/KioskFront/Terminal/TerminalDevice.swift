#if canImport(Glibc)
import Glibc
#endif

/// The kiosk's terminal: raw mode in, escape sequences out.
///
/// `start` saves the terminal's settings and switches to raw mode, the
/// alternate screen, a hidden cursor, bracketed paste and SGR mouse reports;
/// `restore` undoes all of it and is safe to call more than once, so every
/// way out (normal exit, SIGTERM, SIGINT, SIGHUP) leaves the terminal as it was.
public final class TerminalDevice {
    public let input: Int32
    public let output: Int32
    private var saved: termios?

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws(SystemCallError) {
        self.input = input
        self.output = output
        guard isatty(input) == 1 else { throw SystemCallError(call: "isatty(stdin): the front needs a terminal", errno: ENOTTY) }
    }

    public func start() throws(SystemCallError) {
        var settings = termios()
        try systemCall("tcgetattr") { tcgetattr(input, &settings) }
        saved = settings
        // Raw: no line editing, no echo, no signals from keys (a resident's
        // Ctrl-C must not stop the kiosk), no flow control, 8-bit clean.
        settings.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        settings.c_oflag &= ~tcflag_t(OPOST)
        settings.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        settings.c_cflag &= ~tcflag_t(CSIZE | PARENB)
        settings.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        try systemCall("tcsetattr") { tcsetattr(input, TCSAFLUSH, &settings) }
        try write(Array(Self.enter.utf8))
    }

    /// Leave the alternate screen, show the cursor, stop mouse and paste
    /// modes, and put the saved settings back.
    public func restore() {
        guard var settings = saved else { return }
        saved = nil
        try? write(Array(Self.leave.utf8))
        _ = try? systemCall("tcsetattr") { tcsetattr(input, TCSAFLUSH, &settings) }
    }

    static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?2004h\u{1B}[?1000h\u{1B}[?1006h\u{1B}[H\u{1B}[2J"
    static let leave = "\u{1B}[?1006l\u{1B}[?1000l\u{1B}[?2004l\u{1B}[0m\u{1B}[H\u{1B}[2J\u{1B}[3J\u{1B}[?25h\u{1B}[?1049l"

    /// Columns and rows; 80×24 when the terminal does not say.
    public func size() -> (columns: Int, rows: Int) {
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        return (80, 24)
    }

    public func write(_ bytes: [UInt8]) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemCallError) in
                    try systemCall("write(tty)") { Glibc.write(output, buffer.baseAddress! + offset, buffer.count - offset) }
                }
            }
            offset += try written.get()
        }
    }

    /// Reads what is waiting (at most `capacity` bytes); 0 at end of input.
    public func read(capacity: Int = 4096) throws(SystemCallError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = buffer.withUnsafeMutableBytes { bytes in
            Result { () throws(SystemCallError) in
                try systemCall("read(tty)") { Glibc.read(input, bytes.baseAddress, capacity) }
            }
        }
        return Array(buffer.prefix(try count.get()))
    }
}
