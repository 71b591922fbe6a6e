import Foundation
import KioskDomain
import Logging

/// Writes one line a message to standard error in the form journald reads:
/// a `<N>` syslog priority prefix, the label, the message, then dotted
/// metadata keys as `key=value`.
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
        var line = "<\(Self.priority(event.level))>\(label): \(Self.clean(event.message.description))"
        for key in all.keys.sorted() {
            line += " \(key)=\(Self.clean("\(all[key]!)"))"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
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
