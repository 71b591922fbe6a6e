import Foundation
import IntakeProtocol
import KioskDomain
import KioskStore

/// What `kioskctl status` and `kioskctl metrics` report: each role up or
/// down from its heartbeat, the queue, the centre, the printer, the disk.
///
/// Built from plain facts by `evaluate`, so the judgement (what counts as
/// down or degraded) is a pure function with its own tests. Counts, states
/// and times only: never anything a resident typed.
public struct KioskHealth: Sendable, Encodable, Equatable {
    public enum Overall: String, Sendable, Encodable {
        case ok, degraded, down

        /// The exit status monitoring reads: 0 ok, 1 degraded, 2 down.
        public var exitCode: Int32 {
            switch self {
            case .ok: 0
            case .degraded: 1
            case .down: 2
            }
        }
    }

    public struct Role: Sendable, Encodable, Equatable {
        public var up: Bool
        public var state: String
        @NullWhenUnset public var lastSeen: Date?
        @NullWhenUnset public var ageSeconds: Int?
        @NullWhenUnset public var pid: Int32?
        @NullWhenUnset public var version: String?
    }

    public struct Queue: Sendable, Encodable, Equatable {
        public var queued: Int
        public var sending: Int
        public var dead: Int
        public var forwarded: Int
        @NullWhenUnset public var oldestPendingSeconds: Int?
        @NullWhenUnset public var oldestRedPendingSeconds: Int?
    }

    public struct Centre: Sendable, Encodable, Equatable {
        public var reachable: Bool
        public var state: String
        @NullWhenUnset public var checkedAt: Date?
    }

    public struct Printer: Sendable, Encodable, Equatable {
        public var queue: String
        public var state: String
        public var reasons: [String]
        @NullWhenUnset public var checkedAt: Date?
    }

    public struct Disk: Sendable, Encodable, Equatable {
        public var freeBytes: Int64
        public var totalBytes: Int64

        public init(freeBytes: Int64, totalBytes: Int64) {
            self.freeBytes = freeBytes
            self.totalBytes = totalBytes
        }
    }

    public var overall: Overall
    public var problems: [String]
    public var kiosk: String
    public var version: String
    public var checkedAt: Date
    public var roles: [String: Role]
    public var queue: Queue
    @NullWhenUnset public var lastForward: Date?
    public var centre: Centre
    public var printer: Printer
    @NullWhenUnset public var lastScreenRender: Date?
    @NullWhenUnset public var disk: Disk?
    /// The database's last check after start-up: `ok` or `damaged`.
    @NullWhenUnset public var databaseCheck: String?
    public var printJobs: [String: Int]
}

/// The facts a health report is judged from.
public struct HealthFacts: Sendable {
    public var now: Date
    public var kiosk: String
    public var statuses: [RoleStatusRecord]
    public var queue: QueueSummary
    @NullWhenUnset public var lastForward: Date?
    public var printerQueue: String
    public var printJobs: [String: Int]
    public var disk: KioskHealth.Disk?
    /// How long each role may go without a heartbeat before it counts as down.
    public var heartbeatGrace: [String: Duration]
    /// Whether a process id still exists (the daemon may have stopped cleanly).
    public var processExists: @Sendable (Int32) -> Bool
    /// Set when CUPS keeps printed receipts' documents (PreserveJobFiles).
    public var jobFilesWarning: String?

    public init(now: Date, kiosk: String, statuses: [RoleStatusRecord], queue: QueueSummary, lastForward: Date?,
                printerQueue: String, printJobs: [String: Int], disk: KioskHealth.Disk?,
                heartbeatGrace: [String: Duration], processExists: @escaping @Sendable (Int32) -> Bool,
                jobFilesWarning: String? = nil) {
        self.now = now
        self.kiosk = kiosk
        self.statuses = statuses
        self.queue = queue
        self.lastForward = lastForward
        self.printerQueue = printerQueue
        self.printJobs = printJobs
        self.disk = disk
        self.heartbeatGrace = heartbeatGrace
        self.processExists = processExists
        self.jobFilesWarning = jobFilesWarning
    }
}

extension KioskHealth {
    /// Judges the facts (thresholds in `HealthThresholds`, shared with the
    /// centre's fleet view): down when the front or the forwarder is not
    /// running; degraded when a request is dead or stuck, the centre or the
    /// printer cannot be reached, or the disk is nearly full.
    public static func evaluate(_ facts: HealthFacts) -> KioskHealth {
        var problems: [String] = []
        var down = false
        let byRole = Dictionary(facts.statuses.map { ($0.role, $0) }, uniquingKeysWith: { $1 })

        var roles: [String: Role] = [:]
        for name in ["front", "forwarder"] {
            let record = byRole[name]
            let age = record.map { facts.now.timeIntervalSince($0.updated) }
            let grace = facts.heartbeatGrace[name].map { Double($0.components.seconds) } ?? 90
            var state = record?.state ?? "never started"
            var up = record?.state == "running" && (age ?? .infinity) <= grace
            if up, let pid = record?.pid, !facts.processExists(pid) {
                up = false
                state = "exited"
            } else if record?.state == "running", !up {
                state = "no heartbeat"
            }
            if !up {
                down = true
                problems.append("\(name) is down (\(state))")
            }
            roles[name] = Role(up: up, state: state, lastSeen: record?.updated, ageSeconds: age.map { Int($0) },
                               pid: record?.pid, version: record?.version)
        }

        // A damaged file (the daemons' check after start-up): nothing is safe.
        if let database = byRole["database"], database.state == "damaged" {
            down = true
            problems.append("database damaged: \(database.detail ?? "quick_check failed") (README: a damaged database)")
        }

        let oldest = facts.queue.oldestPending.map { Int(facts.now.timeIntervalSince($0)) }
        let oldestRed = facts.queue.oldestRedPending.map { Int(facts.now.timeIntervalSince($0)) }
        let queue = Queue(queued: facts.queue[.queued], sending: facts.queue[.sending], dead: facts.queue[.dead],
                          forwarded: facts.queue[.forwarded], oldestPendingSeconds: oldest,
                          oldestRedPendingSeconds: oldestRed)
        if queue.dead > 0 { problems.append("\(queue.dead) request(s) set aside as dead: kioskctl queue dead") }
        if let oldestRed, Double(oldestRed) > HealthThresholds.redStuckAfter {
            problems.append("a red request has waited \(oldestRed / 60) min to reach the centre")
        }
        if let oldest, Double(oldest) > HealthThresholds.stuckAfter {
            problems.append("oldest waiting request is \(oldest / 60) min old")
        }

        let centreRecord = byRole["centre"]
        let centre = Centre(reachable: centreRecord?.state == "reachable", state: centreRecord?.state ?? "unknown",
                            checkedAt: centreRecord?.updated)
        if !centre.reachable { problems.append("centre \(centre.state)") }

        let printerRecord = byRole["printer"]
        let printer = Printer(queue: facts.printerQueue, state: printerRecord?.state ?? "unknown",
                              reasons: (printerRecord?.detail ?? "").split(separator: ",").map(String.init)
                                  .filter { !$0.isEmpty && $0 != "none" },
                              checkedAt: printerRecord?.updated)
        if !HealthThresholds.printerReadyStates.contains(printer.state) { problems.append("printer \(printer.state)") }
        if let warning = facts.jobFilesWarning { problems.append(warning) }

        if let disk = facts.disk, HealthThresholds.diskNearlyFull(freeBytes: disk.freeBytes, totalBytes: disk.totalBytes) {
            problems.append("disk nearly full: \(disk.freeBytes >> 20) MiB free")
        }

        return KioskHealth(
            overall: down ? .down : problems.isEmpty ? .ok : .degraded, problems: problems, kiosk: facts.kiosk,
            version: KioskVersion.current, checkedAt: facts.now,
            roles: roles, queue: queue, lastForward: facts.lastForward, centre: centre, printer: printer,
            lastScreenRender: byRole["front"]?.updated, disk: facts.disk, databaseCheck: byRole["database"]?.state,
            printJobs: facts.printJobs)
    }
}

extension KioskHealth {
    /// What of this report travels in the heartbeat to the centre's fleet view.
    public var heartbeatHealth: KioskHeartbeat.Health {
        KioskHeartbeat.Health(
            overall: overall.rawValue, problems: problems,
            roles: roles.mapValues { KioskHeartbeat.Health.Role(up: $0.up, state: $0.state) },
            oldestRedPendingSeconds: queue.oldestRedPendingSeconds, lastForward: lastForward,
            printerReasons: printer.reasons, databaseCheck: databaseCheck,
            diskFreeBytes: disk?.freeBytes, diskTotalBytes: disk?.totalBytes)
    }
}
