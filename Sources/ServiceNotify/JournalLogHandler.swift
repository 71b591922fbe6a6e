import Foundation
import KioskDomain
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Where this process's log lines go, and in which form, decided once (at
/// the first line, after a role has moved its standard error where it wants):
///
/// - **journal, native**: standard error is the journal (`JOURNAL_STREAM`
///   names it) and journald's socket takes datagrams: each line is sent as
///   fields, MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and one upper-case field a
///   metadata key (`receipt.number` → `RECEIPT_NUMBER`), so
///   `journalctl RECEIPT_NUMBER=JA0301-…` finds a request's lines.
/// - **journal, text**: the same stream but no socket: `<N>label: message
///   key=value`, the `<N>` prefix journald reads as the priority.
/// - **terminal**: anything else (a technician's terminal, a test's file):
///   `label: level: message key=value`, no prefix to read around.
///
/// Callers never put personal data in messages or metadata; this handler
/// also strips control characters so no value can forge a log line.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let fields = all.keys.sorted().map { ($0, Self.clean("\(all[$0]!)")) }
        Self.write(level: event.level, label: label, message: Self.clean(event.message.description), fields: fields)
    }

    /// One line out, by the process's destination; a native send that fails
    /// falls back to the text form on standard error (nothing is lost).
    public static func write(level: Logger.Level, label: String, message: String, fields: [(String, String)]) {
        let destination = LogDestination.current
        if case let .journalNative(socket) = destination,
           socket.send(JournalFields.datagram(priority: priority(level), identifier: label, message: message,
                                              fields: fields)) {
            return
        }
        let line = textLine(level: level, label: label, message: message, fields: fields,
                            journal: destination != .terminal)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func textLine(level: Logger.Level, label: String, message: String, fields: [(String, String)],
                         journal: Bool) -> String {
        var line = journal ? "<\(priority(level))>\(label): \(message)" : "\(label): \(level.rawValue): \(message)"
        for (key, value) in fields { line += " \(key)=\(value)" }
        return line
    }

    /// syslog priorities: err 3, warning 4, notice 5, info 6, debug 7.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    /// Every scalar unsafe in text (C0 and C1 controls, DEL, bidirectional
    /// overrides, line separators) becomes a space: a value from the wire
    /// can neither start a new log line nor drive the terminal that shows it.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.isUnsafeInText ? " " : $0 }))
    }
}

/// Where log lines go (see `JournalLogHandler`).
public enum LogDestination: Sendable, Equatable {
    case terminal
    case journalText
    case journalNative(JournalSocket)

    /// journald's socket for native entries; `KIOSK_JOURNAL_SOCKET` points
    /// the tests at a socket of their own (no journald runs there).
    public static let standardSocketPath = "/run/systemd/journal/socket"

    static let current: LogDestination = choose(environment: ProcessInfo.processInfo.environment,
                                                standardError: FileIdentity(descriptor: STDERR_FILENO))

    /// The journal when `JOURNAL_STREAM` names standard error (as systemd
    /// sets it for `StandardError=journal`); natively when its socket is there.
    static func choose(environment: [String: String], standardError: FileIdentity?) -> LogDestination {
        guard let stream = environment["JOURNAL_STREAM"], let standardError,
              FileIdentity(journalStream: stream) == standardError
        else { return .terminal }
        let path = environment["KIOSK_JOURNAL_SOCKET"] ?? standardSocketPath
        return JournalSocket(path: path).map { .journalNative($0) } ?? .journalText
    }
}

/// A file's device and inode, as `JOURNAL_STREAM` gives them ("dev:ino").
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    init?(journalStream: String) {
        let parts = journalStream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        self.device = device
        self.inode = inode
    }

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// journald's native protocol: one datagram an entry, `FIELD=value` lines.
enum JournalFields {
    static func datagram(priority: Int, identifier: String, message: String, fields: [(String, String)]) -> [UInt8] {
        var text = "MESSAGE=\(message)\nPRIORITY=\(priority)\nSYSLOG_IDENTIFIER=\(identifier)\n"
        for (key, value) in fields { text += "\(fieldName(key))=\(value)\n" }
        return Array(text.utf8)
    }

    /// journald's rule: upper-case letters, digits and underscores, not
    /// starting with an underscore or a digit (those are its own fields).
    static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        while let first = name.first, first == "_" || first.isNumber { name.removeFirst() }
        return name.isEmpty ? "FIELD" : String(name.prefix(64))
    }
}

/// A datagram socket connected to journald's (or a test's) socket.
public struct JournalSocket: Sendable, Equatable {
    let descriptor: Int32

    init?(path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            return nil
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    /// Whether journald took the entry (a full socket or a stopped journald: no).
    func send(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == datagram.count
    }
}
