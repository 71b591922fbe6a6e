import CCups

/// Whether the CUPS server keeps a job's document after printing it
/// (`PreserveJobFiles` in cupsd.conf). A receipt's document is a PDF with the
/// receipt number and, for the centre's copy, a name and phone: kept, it
/// lies in CUPS's spool for a day by default. Kiosks should run with
/// `PreserveJobFiles No`.
public enum JobFileRetention: Sendable, Equatable {
    case notKept
    /// Kept, for the directive's value (`Yes`, or seconds; `86400` when unset).
    case kept(String)
    /// The server's settings could not be read.
    case unknown

    /// From the directive's value; nil when cupsd.conf does not set it, in
    /// which case CUPS keeps documents for a day.
    public init(directive value: String?) {
        guard let value else {
            self = .kept("86400")
            return
        }
        self = ["no", "off", "false", "0"].contains(value.lowercased()) ? .notKept : .kept(value)
    }

    /// The server's setting, through libcups's server settings (which read a
    /// local server's cupsd.conf from `CUPS_SERVERROOT`, /etc/cups by default,
    /// and ask a remote one over HTTP).
    public static func ofServer() -> JobFileRetention {
        var count: Int32 = 0
        var settings: UnsafeMutablePointer<cups_option_t>?
        guard cupsAdminGetServerSettings(nil, &count, &settings) == 1 else { return .unknown }
        defer { cupsFreeOptions(count, settings) }
        return JobFileRetention(directive: cupsGetOption("PreserveJobFiles", count, settings).map { String(cString: $0) })
    }

    /// What a technician reads when documents are kept; nil otherwise.
    public var warning: String? {
        guard case let .kept(value) = self else { return nil }
        return "CUPS keeps each printed receipt's document (PreserveJobFiles \(value)): set `PreserveJobFiles No` in cupsd.conf"
    }
}
