import CentreConfig
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain
import StorageSupport
import Synchronization

/// The centre's database: registered kiosks, received requests (each stored
/// once, by submission id with a body digest) and the cases made of them,
/// staff, sessions, the access log and heartbeats.
///
/// A resident's data stays sealed with the centre's key and is opened per
/// page view (`caseDetail`); what the inbox and reports need (level,
/// programme, service, street, times, state) is kept plain beside it.
public final class CenterStore: Sendable {
    package let database: any CenterDatabase
    package let sealer: Sealer
    /// Signs the QR codes of referral slips (derived from the seal key).
    public let slipKey: ReferralSlipKey
    /// A phone number's digest and the delivery-report signatures (derived from the seal key).
    public let messageKeys: MessageKeys
    /// Text messages to residents: nil (or without a gateway), none is queued.
    let messaging: MessagingSettings?
    /// First-contact deadlines, set on each case as it arrives.
    let deadlines: FirstContactDeadlines
    let timeZone: TimeZone
    /// Requests from kiosks that arrive together are stored in one commit.
    let intakeCommits: GroupCommit<[Result<Outcome, any Error>]>
    /// Each kiosk's latest heartbeat, decoded, by when it came: the fleet
    /// page and every `/metrics` scrape read all of them, and decoding
    /// 150 JSON bodies each time was most of their cost.
    let latestHeartbeats = Mutex<[String: (receivedAt: Int64, heartbeat: KioskHeartbeat)]>([:])

    /// Intake transactions one process keeps open at once on PostgreSQL (each
    /// holds a connection of the pool while it commits).
    static let postgresIntakeLanes = 4

    public var dialect: SQLDialect { database.dialect }

    public init(database: any CenterDatabase, sealKey: [UInt8],
                deadlines: FirstContactDeadlines = .standard,
                timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!,
                messaging: MessagingSettings? = nil) async throws {
        self.database = database
        sealer = Sealer(keyBytes: sealKey)
        slipKey = ReferralSlipKey(sealKey: sealKey)
        messageKeys = MessageKeys(sealKey: sealKey)
        self.messaging = messaging?.isOn == true ? messaging : nil
        self.deadlines = deadlines
        self.timeZone = timeZone
        intakeCommits = GroupCommit(database: database,
                                    lanes: database.dialect == .postgres ? Self.postgresIntakeLanes : 1)
        try await sealKioskSecrets()
        try await openCasesForEarlierRequests()
    }

    /// Ends the database's connections (a PostgreSQL pool); the store is not used again.
    public func close() {
        database.close()
    }

    /// Deletes heartbeats received before `cutoff`; each kiosk's latest stays
    /// in `kiosks`. Returns how many went.
    @discardableResult
    public func deleteHeartbeats(receivedBefore cutoff: Date) async throws -> Int {
        try await database.write { db in
            try await db.execute("DELETE FROM heartbeats WHERE received_at < ?", [cutoff.millisecondsSince1970])
        }
    }

    /// How many submissions the centre holds, by submission id: tests and
    /// `kiosk-center` use it to show nothing arrived twice.
    public func submissionCounts() async throws -> (total: Int, distinctIDs: Int, distinctReceipts: Int) {
        try await database.read { db in
            let row = try await db.fetchOne("""
                SELECT COUNT(*) AS total, COUNT(DISTINCT id) AS ids, COUNT(DISTINCT kiosk_code || receipt_number) AS receipts
                FROM submissions
                """)!
            return (row["total"], row["ids"], row["receipts"])
        }
    }

    /// One submission's body, opened (tests); nil when unknown or erased.
    public func body(ofReference reference: String) async throws -> IntakeSubmission? {
        try await database.read { db -> IntakeSubmission? in
            guard let row = try await db.fetchOne("SELECT id, sealed_body FROM submissions WHERE reference = ?", [reference]),
                  let id = UUID(uuidString: row["id"]) else { return nil }
            return try self.openBody(row["sealed_body"], id: id)
        }
    }

    /// Opens a sealed body; nil once retention has erased it.
    func openBody(_ sealed: Data, id: UUID) throws -> IntakeSubmission? {
        guard !sealed.isEmpty else { return nil }
        return try IntakeSubmission.decode(try sealer.open(sealed, boundTo: id))
    }

    public func heartbeatCount(kiosk: String) async throws -> Int {
        try await database.read { try await $0.fetchValue("SELECT COUNT(*) FROM heartbeats WHERE kiosk_code = ?", [kiosk]) ?? 0 }
    }

    /// A read of the database that returns promptly when it is healthy (the
    /// service's watchdog pings only after one).
    public func probe() async throws {
        _ = try await database.read { try await $0.fetchValue("SELECT COUNT(*) FROM kiosks") as Int? }
    }

    public func integrityCheck() async throws -> [String] {
        try await database.integrityCheck()
    }
}

extension HardshipLevel {
    init(priority: Int) {
        self = priority == 0 ? .red : priority == 1 ? .yellow : .green
    }
}

extension Date {
    package var millisecondsSince1970: Int64 { wireMilliseconds }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

extension String {
    package func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
