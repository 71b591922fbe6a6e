/// Why the store refused: one error type for every way the kiosk database or
/// its keys can fail. Messages name the file and the problem, never the data.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case corrupt
        case schemaNewer
        case schemaOlder
        case missing
        case cannotOpen
        case credential
        case sealing
        case legacySeal
        case notFound
        case invalidTransition
        case database
    }

    let kind: Kind
    public let message: String

    public var description: String { message }

    /// The database file fails `integrity_check`, or is not a database.
    public static func corrupt(_ path: String, _ detail: String) -> StoreError {
        StoreError(kind: .corrupt, message: "database \(path) is damaged (\(detail)); it was left untouched. Restore it from a backup or move it aside for inspection; the kiosk will not recreate it")
    }

    /// The database was migrated by a newer kiosk version.
    public static func schemaNewer(_ path: String, _ unknown: [String]) -> StoreError {
        StoreError(kind: .schemaNewer, message: "database \(path) has a newer schema than this program knows (migrations \(unknown.joined(separator: ", "))); install the newer version instead of downgrading")
    }

    /// A tool found a database its services have not migrated yet; tools
    /// never migrate (the file must stay the kiosk user's).
    public static func schemaOlder(_ path: String, _ pending: [String]) -> StoreError {
        StoreError(kind: .schemaOlder, message: "database \(path) is not migrated to this version yet (pending \(pending.joined(separator: ", "))); start the kiosk's services or run `kioskd migrate` as the kiosk user")
    }

    /// A tool found no database: only the services create it, as the kiosk
    /// user, so a technician's command run as root never leaves a file the
    /// services cannot write.
    public static func missing(_ path: String) -> StoreError {
        StoreError(kind: .missing, message: "no database at \(path) yet: the kiosk's services create it when they first start (or `kioskd migrate`, as the kiosk user)")
    }

    public static func cannotOpen(_ path: String, _ detail: String) -> StoreError {
        StoreError(kind: .cannotOpen, message: "cannot open database \(path): \(detail)")
    }

    public static func credential(_ message: String) -> StoreError {
        StoreError(kind: .credential, message: message)
    }

    /// Sealed data failed to open: a wrong key or a damaged blob.
    public static func sealing(_ message: String) -> StoreError {
        StoreError(kind: .sealing, message: message)
    }

    /// A request sealed by a kiosk version before sealing to the centre's
    /// key: it waits for `kioskctl credentials reseal`.
    public static func legacySeal(_ receipt: String) -> StoreError {
        StoreError(kind: .legacySeal, message: "receipt \(receipt) is still sealed with the kiosk's old seal key; "
                   + "run `kioskctl credentials reseal` (it needs the old seal key and the centre's public key)")
    }

    public static func notFound(_ what: String) -> StoreError {
        StoreError(kind: .notFound, message: "\(what) not found")
    }

    public static func invalidTransition(_ message: String) -> StoreError {
        StoreError(kind: .invalidTransition, message: message)
    }

    public static func database(_ error: any Error) -> StoreError {
        // GRDB's DatabaseError description leaves out statement arguments.
        StoreError(kind: .database, message: "database error: \(error)")
    }

    public var isCorrupt: Bool { kind == .corrupt }
    public var isSchemaNewer: Bool { kind == .schemaNewer }
    public var isMissing: Bool { kind == .missing }
    public var isNotFound: Bool { kind == .notFound }
    public var isLegacySeal: Bool { kind == .legacySeal }
    public var isInvalidTransition: Bool { kind == .invalidTransition }
}
