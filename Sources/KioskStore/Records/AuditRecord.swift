import GRDB

/// An entry in the audit trail. `detail` never holds personal data: it is
/// kept after the applicant's data is purged, and technicians read it.
public struct AuditRecord: Sendable, Codable, FetchableRecord, PersistableRecord, Hashable {
    public static let databaseTableName = "audit_log"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var at: Int64
    public var actor: String
    public var event: String
    public var submissionId: String?
    public var detail: String?
}

/// Who did something to a request.
public enum Actor: String, Sendable {
    case front, forwarder, kioskctl, store
}
