/// Why the centre's store or a command refused, in words for the person who
/// reads it (never personal data). `code` tells callers what happened; the
/// words may change, the codes do not.
public struct CenterError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Refused as asked: a rule of the store or of a command.
        public static let refused = Code("refused")
        /// The database fails its integrity check, or is not a database.
        public static let damaged = Code("damaged")
        /// The database was migrated by a newer version of the centre.
        public static let schemaNewer = Code("schema-newer")
    }

    public let code: Code
    public let description: String

    public init(description: String) {
        self.init(.refused, description)
    }

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    package static func damaged(_ location: String, _ detail: String) -> CenterError {
        CenterError(.damaged, "the centre's database \(location) is damaged (\(detail)); it was left untouched. "
                    + "Restore it from a backup, or move it aside for inspection")
    }

    package static func schemaNewer(_ location: String) -> CenterError {
        CenterError(.schemaNewer, "the centre's database \(location) was migrated by a newer kiosk-center; "
                    + "install that version instead of downgrading")
    }
}

/// The database cannot be reached (refused, down, restarting, network):
/// the request was not stored, and may be sent again.
public struct DatabaseUnavailable: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String
    public var description: String { "the database at \(location) cannot be reached: \(reason)" }

    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }
}
