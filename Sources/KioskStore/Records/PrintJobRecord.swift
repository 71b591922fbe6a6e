import Foundation
import GRDB

/// Where a printed copy stands: `pending` (waiting for the printer worker),
/// `submitted` (handed to CUPS), then one of `completed`, `aborted`,
/// `canceled` (e.g. not printed in time) or `failed` (never reached CUPS).
public enum PrintJobState: String, Sendable, Codable, CaseIterable {
    case pending, submitted, completed, aborted, canceled, failed

    public var isFinished: Bool { ![.pending, .submitted].contains(self) }
}

/// One row of `print_jobs`: one copy of one receipt, or a test page.
public struct PrintJobRecord: Sendable, Codable, FetchableRecord, PersistableRecord, Hashable {
    public static let databaseTableName = "print_jobs"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    /// Nil for a test page.
    public var submissionId: String?
    /// `resident`, `centre` or `test`.
    public var copy: String
    public var state: PrintJobState
    public var printer: String?
    public var cupsJobId: Int32?
    public var reason: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public var created: Date { Date(millisecondsSince1970: createdAt) }
}
