import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import IntakeProtocol
import KioskDomain

/// The kiosk's durable queue: one SQLite file shared by the front (which
/// submits) and the forwarder (which claims and marks), each process with its
/// own `KioskStore`.
///
/// Opening it checks the file before touching it: a damaged database or one
/// from a newer version is refused with a clear message, never recreated.
/// Writes are WAL with `synchronous=FULL`, so a commit the front reports to a
/// resident survives power loss.
public final class KioskStore: Sendable {
    public let path: String
    let pool: DatabasePool
    /// What new requests are sealed to; the kiosk never holds the key that opens them.
    private let centreKey: CentrePublicKey?
    /// Envelopes for the next requests, prepared off the submit path.
    private let preparedEnvelopes = Mutex<[PersonalEnvelope.Prepared]>([])
    /// Two: even submissions back to back (a backlog, a benchmark) each find
    /// one ready while the next is being made.
    static let envelopesAhead = 2
    let issuer: ReceiptIssuer

    /// - Parameters:
    ///   - path: the database file; created with its folder when missing.
    ///   - centreKey: the centre's public key, for the front, which seals
    ///     new requests; nil for every other process (forwarder, migrations,
    ///     purge, kioskctl), which only moves sealed envelopes around.
    ///   - issuer: the kiosk code and time zone that receipt numbers carry.
    ///   - check: how an existing file is checked before use.
    ///   - access: whether this process may create and migrate the file
    ///     (the services) or only use one that is there and up to date (tools).
    public init(path: String, centreKey: CentrePublicKey?, issuer: ReceiptIssuer,
                check: StartupCheck = .quick, access: Access = .service) throws(StoreError) {
        self.path = path
        self.centreKey = centreKey
        self.issuer = issuer
        let url = URL(fileURLWithPath: path)
        let exists = FileManager.default.fileExists(atPath: path)
        if access == .tool {
            guard exists else { throw .missing(path) }
        } else {
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path, "cannot create its folder: \(error.localizedDescription)")
            }
        }

        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Purged personal data must not linger in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw .corrupt(path, "not a valid SQLite database")
        } catch {
            throw .cannotOpen(path, "\(error)")
        }

        let migrator = Migrations.migrator
        do {
            try pool.writeWithoutTransaction { db in
                // GRDB opens pools with synchronous=NORMAL; a kiosk must not
                // lose a commit it told a resident about, so FULL.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                if exists, let pragma = check.pragma {
                    let problems = try String.fetchAll(db, sql: "PRAGMA \(pragma)(5)")
                    if problems != ["ok"] {
                        throw StoreError.corrupt(path, problems.prefix(3).joined(separator: "; "))
                    }
                }
                if try migrator.hasBeenSuperseded(db) {
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                    throw StoreError.schemaNewer(path, unknown)
                }
            }
            if access == .tool {
                let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
                let pending = migrator.migrations.filter { !applied.contains($0) }
                if !pending.isEmpty { throw StoreError.schemaOlder(path, pending) }
            } else {
                try migrator.migrate(pool)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw .corrupt(path, "not a valid SQLite database")
        } catch {
            throw .cannotOpen(path, "\(error)")
        }
        // The first request need not wait for the key agreement either.
        prepareNextEnvelope()
    }

    /// Who opens the file: the services create and migrate it, as the kiosk
    /// user; a technician's tool (kioskctl, often run as root) only opens a
    /// database that is there and migrated.
    public enum Access: Sendable {
        case service, tool
    }

    /// Runs a write transaction, turning database errors into `StoreError`.
    func write<T: Sendable>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(error)
        }
    }

    func read<T: Sendable>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(error)
        }
    }

    static func audit(_ db: Database, at now: Date, actor: Actor, event: String, submissionID: String?,
                      detail: String? = nil) throws {
        let record = AuditRecord(id: nil, at: now.millisecondsSince1970, actor: actor.rawValue, event: event,
                                 submissionId: submissionID, detail: detail)
        try record.insert(db)
    }

    /// Opens the database file, its WAL and shared memory to the owner's
    /// group (0660): the forwarder runs as a user of its own in the kiosk
    /// group. SQLite gives a new WAL the database's mode, so this holds from
    /// then on; `kioskd migrate` (as the owner) runs it at every start, which
    /// also mends files an earlier version made owner-only. Returns the files
    /// it changed.
    @discardableResult
    public func shareWithGroup() -> [String] {
        var changed: [String] = []
        for file in [path, path + "-wal", path + "-shm"] {
            var status = stat()
            guard stat(file, &status) == 0, status.st_uid == geteuid(), status.st_mode & 0o660 != 0o660 else { continue }
            if chmod(file, (status.st_mode & 0o7777) | 0o660) == 0 { changed.append(file) }
        }
        return changed
    }

    /// The value of a pragma on the writer connection (tests read back
    /// `synchronous` and `journal_mode` through it).
    public func writerPragma(_ name: String) throws(StoreError) -> String? {
        do {
            return try pool.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA \(name)") }
        } catch {
            throw .database(error)
        }
    }

    /// The full `integrity_check`, for `kioskctl` and tests.
    public func integrityCheck() throws(StoreError) -> [String] {
        try read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
    }
}

/// How an existing database is checked when it is opened.
public enum StartupCheck: Sendable {
    /// `integrity_check`: every page, every index against its table.
    case full
    /// `quick_check`: every page and constraint, not index contents; what
    /// daemons run at start so READY=1 comes quickly on a large file.
    case quick
    /// Nothing beyond SQLite's own header checks (read-only reports).
    case none

    var pragma: String? {
        switch self {
        case .full: "integrity_check"
        case .quick: "quick_check"
        case .none: nil
        }
    }
}

/// Makes receipt numbers: the kiosk code and the kiosk's local date.
public struct ReceiptIssuer: Sendable {
    public let kioskCode: String
    private let calendar: Calendar

    public init(kioskCode: String, timeZone: TimeZone) {
        precondition(ReceiptNumber.isValidKioskCode(kioskCode))
        self.kioskCode = kioskCode
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public var timeZone: TimeZone { calendar.timeZone }

    /// `yymmdd` of `date` in the kiosk's time zone.
    public func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(parts.year! % 100).leftPadded(to: 2) + String(parts.month!).leftPadded(to: 2)
            + String(parts.day!).leftPadded(to: 2)
    }
}

extension KioskStore {
    /// An envelope for the next request: the one prepared in advance, or a
    /// new one. Only the front, which holds the centre's public key, seals.
    func takeEnvelope() throws(StoreError) -> PersonalEnvelope.Prepared {
        guard let centreKey else {
            throw .credential("this process was started without the centre's public key; it cannot seal personal data")
        }
        if let prepared = preparedEnvelopes.withLock({ $0.popLast() }) { return prepared }
        do { return try PersonalEnvelope.Prepared(to: centreKey) } catch { throw .sealing(error.description) }
    }

    /// Tops the prepared envelopes up in the background, so the key
    /// agreement is done before the resident presses submit.
    func prepareNextEnvelope() {
        guard let centreKey else { return }
        // The store is held only while its list is looked at, never during
        // the key agreement: closing it is never delayed by this.
        DispatchQueue.global(qos: .utility).async { [weak self] in
            while (self?.preparedEnvelopes.withLock { $0.count } ?? Self.envelopesAhead) < Self.envelopesAhead {
                guard let prepared = try? PersonalEnvelope.Prepared(to: centreKey) else { return }
                self?.preparedEnvelopes.withLock { if $0.count < Self.envelopesAhead { $0.append(prepared) } }
            }
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
