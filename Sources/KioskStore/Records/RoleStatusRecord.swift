import Foundation
import GRDB

/// A role's heartbeat and one-line state (front, forwarder, printer, centre).
public struct RoleStatusRecord: Sendable, Codable, FetchableRecord, PersistableRecord, Hashable {
    public static let databaseTableName = "role_status"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var role: String
    public var updatedAt: Int64
    public var state: String
    public var detail: String?
    public var pid: Int32?
    public var version: String?

    public init(role: String, updatedAt: Date, state: String, detail: String? = nil, pid: Int32? = nil,
                version: String? = nil) {
        self.role = role
        self.updatedAt = updatedAt.millisecondsSince1970
        self.state = state
        self.detail = detail
        self.pid = pid
        self.version = version
    }

    public var updated: Date { Date(millisecondsSince1970: updatedAt) }
}
