import Foundation
import GRDB
import IntakeProtocol
import KioskDomain

/// Where a request stands on its way to the centre.
public enum QueueState: String, Sendable, Codable, CaseIterable {
    case queued, sending, forwarded, dead
}

/// One row of `submissions`: the queue's view of a request. Personal data is
/// only in `sealedPersonal`.
public struct SubmissionRecord: Sendable, Codable, FetchableRecord, PersistableRecord, Hashable {
    public static let databaseTableName = "submissions"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var receiptNumber: String
    public var receiptDay: String
    public var receiptSequence: Int
    public var createdAt: Int64
    public var language: String
    public var programmeId: String
    public var serviceId: String
    public var hardship: String
    public var priority: Int
    public var consentVersion: String
    public var consentedAt: Int64
    public var sealedPersonal: Data?
    public var state: QueueState
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var leaseUntil: Int64?
    public var centreReference: String?
    public var forwardedAt: Int64?
    public var deadReason: String?
    /// When the request was set aside as dead (retention counts from here).
    public var deadAt: Int64? = nil
    public var lastError: String?
    public var purgedAt: Int64?

    public enum Columns {
        public static let id = Column("id")
        public static let receiptNumber = Column("receipt_number")
        public static let state = Column("state")
        public static let priority = Column("priority")
        public static let createdAt = Column("created_at")
    }
}

extension Date {
    var millisecondsSince1970: Int64 { wireMilliseconds }

    init(millisecondsSince1970 ms: Int64) {
        self.init(timeIntervalSince1970: Double(ms) / 1000)
    }
}
