import Foundation
import KioskDomain

/// `POST /api/v1/kiosks/{code}/heartbeat`: how a kiosk is doing, as
/// `kioskctl status` judges it. Counts, states and times only: never
/// anything a resident typed. Fields added after the first version are
/// optional, so a centre hears older kiosks too.
public struct KioskHeartbeat: Codable, Sendable, Equatable {
    public var kioskCode: String
    /// The kiosk's clock when it sent this: the centre compares it with its own.
    public var sentAt: Date
    public var version: String
    public var queueDepth: Int
    public var oldestPendingSeconds: Int?
    public var deadCount: Int
    public var printerState: String?
    public var lastScreenRender: Date?
    /// How often the kiosk sends one: three missed make it silent at the centre.
    public var intervalSeconds: Int?
    public var health: Health?

    /// What `kioskctl status` found, beside the counts above.
    public struct Health: Codable, Sendable, Equatable {
        /// The kiosk's own verdict: `ok`, `degraded` or `down`.
        public var overall: String
        /// The kiosk's own words for what is wrong (English, as `kioskctl status` prints them).
        public var problems: [String]
        /// Each service role (front, forwarder) and its state: `running` when up.
        public var roles: [String: Role]
        public var oldestRedPendingSeconds: Int?
        public var lastForward: Date?
        /// The printer's IPP state reasons (`media-empty`, `media-jam`…), none when it is fine.
        public var printerReasons: [String]
        /// The database's last check: `ok` or `damaged`; nil before the first.
        public var databaseCheck: String?
        public var diskFreeBytes: Int64?
        public var diskTotalBytes: Int64?

        public struct Role: Codable, Sendable, Equatable {
            public var up: Bool
            public var state: String

            public init(up: Bool, state: String) {
                self.up = up
                self.state = state
            }
        }

        public init(overall: String, problems: [String], roles: [String: Role], oldestRedPendingSeconds: Int?,
                    lastForward: Date?, printerReasons: [String], databaseCheck: String?, diskFreeBytes: Int64?,
                    diskTotalBytes: Int64?) {
            self.overall = overall
            self.problems = problems
            self.roles = roles
            self.oldestRedPendingSeconds = oldestRedPendingSeconds
            self.lastForward = lastForward
            self.printerReasons = printerReasons
            self.databaseCheck = databaseCheck
            self.diskFreeBytes = diskFreeBytes
            self.diskTotalBytes = diskTotalBytes
        }
    }

    public init(kioskCode: String, sentAt: Date, version: String, queueDepth: Int, oldestPendingSeconds: Int?,
                deadCount: Int, printerState: String?, lastScreenRender: Date?, intervalSeconds: Int? = nil,
                health: Health? = nil) {
        self.kioskCode = kioskCode
        self.sentAt = sentAt
        self.version = version
        self.queueDepth = queueDepth
        self.oldestPendingSeconds = oldestPendingSeconds
        self.deadCount = deadCount
        self.printerState = printerState
        self.lastScreenRender = lastScreenRender
        self.intervalSeconds = intervalSeconds
        self.health = health
    }

    /// Most problems, roles and printer reasons one heartbeat may carry, and
    /// the longest word in it: a kiosk says far less.
    public static let maxListCount = 32
    public static let maxWordCharacters = 200
    /// The longest interval a kiosk may announce (a day).
    public static let maxIntervalSeconds = 86_400

    /// Checks what the centre stores and judges: nil when all holds, else the
    /// problem (naming the field, never echoing its value). Counts and ages are
    /// never negative nor beyond what a kiosk could hold; words are short and
    /// carry no control characters.
    public func problem() -> String? {
        let counts: [(String, Int?)] = [
            ("queueDepth", queueDepth), ("deadCount", deadCount), ("oldestPendingSeconds", oldestPendingSeconds),
            ("health.oldestRedPendingSeconds", health?.oldestRedPendingSeconds),
        ]
        for (name, value) in counts {
            if let value, !(0...Self.maxCount).contains(value) { return "\(name) must be 0 to \(Self.maxCount)" }
        }
        if let interval = intervalSeconds, !(1...Self.maxIntervalSeconds).contains(interval) {
            return "intervalSeconds must be 1 to \(Self.maxIntervalSeconds)"
        }
        for (name, bytes) in [("health.diskFreeBytes", health?.diskFreeBytes), ("health.diskTotalBytes", health?.diskTotalBytes)] {
            if let bytes, bytes < 0 { return "\(name) must not be negative" }
        }
        if let free = health?.diskFreeBytes, let total = health?.diskTotalBytes, free > total {
            return "health.diskFreeBytes must not exceed health.diskTotalBytes"
        }
        let health = self.health
        let lists = [health?.problems ?? [], health?.printerReasons ?? [], Array((health?.roles ?? [:]).keys)]
        if lists.contains(where: { $0.count > Self.maxListCount }) {
            return "health lists may hold at most \(Self.maxListCount) entries"
        }
        var words = [kioskCode, version, printerState ?? "", health?.overall ?? "", health?.databaseCheck ?? ""]
        words += lists.joined()
        words += (health?.roles ?? [:]).values.map(\.state)
        if words.contains(where: { $0.count > Self.maxWordCharacters || $0.containsUnsafeScalars }) {
            return "a word is longer than \(Self.maxWordCharacters) characters or contains control characters"
        }
        return nil
    }

    /// The largest count or age (seconds: over 30 years) a heartbeat may carry.
    public static let maxCount = 1_000_000_000

    public func encoded() throws -> Data { try IntakeSubmission.encoder.encode(self) }
    public static func decode(_ data: Data) throws -> KioskHeartbeat {
        try IntakeSubmission.decoder.decode(KioskHeartbeat.self, from: data)
    }
}
