import Foundation
import IntakeProtocol
import KioskDomain

/// A kiosk's health as the fleet page, the kiosk page and `/metrics` show
/// it. `silent` is the centre's own finding: no heartbeat for three of the
/// kiosk's intervals (it may be off, cut from the network, or refused).
public enum FleetHealth: String, Sendable, CaseIterable, Comparable {
    case down, silent, degraded, ok

    /// Worst first: a kiosk that cannot take or deliver requests, then one
    /// the centre cannot hear, then one a resident may still use.
    public var rank: Int {
        switch self {
        case .down: 0
        case .silent: 1
        case .degraded: 2
        case .ok: 3
        }
    }

    public static func < (a: FleetHealth, b: FleetHealth) -> Bool { a.rank < b.rank }
}

/// One thing wrong with a kiosk, in facts; the console puts it in words.
public enum FleetProblem: Sendable, Equatable {
    case neverHeard
    case silent(lastHeard: Date)
    case clockRefused(offsetSeconds: Int)
    case clockDrifting(offsetSeconds: Int)
    case roleDown(role: String, state: String)
    case databaseDamaged
    case paperOut
    case printer(state: String, reasons: [String])
    case deadRequests(Int)
    case redWaiting(seconds: Int)
    case oldestWaiting(seconds: Int)
    case diskNearlyFull(freeBytes: Int64)

    /// A short stable name (metrics, tests, the page's data attribute).
    public var code: String {
        switch self {
        case .neverHeard: "never_heard"
        case .silent: "silent"
        case .clockRefused: "clock_refused"
        case .clockDrifting: "clock_drifting"
        case .roleDown: "role_down"
        case .databaseDamaged: "database_damaged"
        case .paperOut: "paper_out"
        case .printer: "printer"
        case .deadRequests: "dead_requests"
        case .redWaiting: "red_waiting"
        case .oldestWaiting: "oldest_waiting"
        case .diskNearlyFull: "disk_nearly_full"
        }
    }

    /// What the history compares to find a change: the code, and for a
    /// role the role's name (the front going down after the forwarder came
    /// back is a new fault); counts and ages are left out, or every
    /// heartbeat of a waiting request would be one.
    public var changeKey: String {
        switch self {
        case let .roleDown(role, _): "\(code):\(role)"
        default: code
        }
    }
}

/// The centre's judgement of one heartbeat: the same rules as `kioskctl
/// status` (a role down or a damaged database: down; dead or stuck
/// requests, a printer not ready, a nearly full disk: degraded), from the
/// facts the heartbeat carries, plus the kiosk's clock against the centre's.
/// The kiosk's own view of the centre is left out: the centre just heard it.
public enum FleetJudgement {
    /// A clock further off than this is flagged before it reaches the
    /// signing window (±300 s), past which every request is refused.
    public static let clockWarning: TimeInterval = 60
    /// A kiosk that says nothing of its interval is taken to send one a minute.
    public static let defaultInterval: TimeInterval = 60
    /// Silent after this many intervals without a heartbeat.
    public static let silentAfterIntervals: Double = 3

    public static func judge(_ heartbeat: KioskHeartbeat, receivedAt: Date) -> (health: FleetHealth, problems: [FleetProblem]) {
        var problems: [FleetProblem] = []
        var down = false
        let offset = heartbeat.sentAt.timeIntervalSince(receivedAt)
        if abs(offset) > RequestSigner.window {
            problems.append(.clockRefused(offsetSeconds: WireNumbers.int(saturating: offset)))
        } else if abs(offset) > clockWarning {
            problems.append(.clockDrifting(offsetSeconds: WireNumbers.int(saturating: offset)))
        }
        let health = heartbeat.health
        for (role, state) in (health?.roles ?? [:]).sorted(by: { $0.key < $1.key }) where !state.up {
            down = true
            problems.append(.roleDown(role: role, state: state.state))
        }
        if health?.databaseCheck == "damaged" {
            down = true
            problems.append(.databaseDamaged)
        }
        let reasons = health?.printerReasons ?? []
        if heartbeat.printerState == "paper-out"
            || reasons.contains(where: { $0.hasPrefix("media-empty") || $0.hasPrefix("media-needed") }) {
            problems.append(.paperOut)
        } else if let state = heartbeat.printerState, !printerReady(state) {
            problems.append(.printer(state: state, reasons: reasons))
        }
        if heartbeat.deadCount > 0 { problems.append(.deadRequests(heartbeat.deadCount)) }
        if let red = health?.oldestRedPendingSeconds, Double(red) > HealthThresholds.redStuckAfter {
            problems.append(.redWaiting(seconds: red))
        }
        if let oldest = heartbeat.oldestPendingSeconds, Double(oldest) > HealthThresholds.stuckAfter {
            problems.append(.oldestWaiting(seconds: oldest))
        }
        if let free = health?.diskFreeBytes, let total = health?.diskTotalBytes,
           HealthThresholds.diskNearlyFull(freeBytes: free, totalBytes: total) {
            problems.append(.diskNearlyFull(freeBytes: free))
        }
        return (down ? .down : problems.isEmpty ? .ok : .degraded, problems)
    }

    /// Ready as `kioskctl status` counts it.
    public static func printerReady(_ state: String) -> Bool { HealthThresholds.printerReadyStates.contains(state) }

    /// Whether a kiosk last heard at `lastHeard` has fallen silent by `now`.
    public static func isSilent(lastHeard: Date?, intervalSeconds: Int?, now: Date) -> Bool {
        guard let lastHeard else { return true }
        let interval = intervalSeconds.map(TimeInterval.init) ?? defaultInterval
        return now.timeIntervalSince(lastHeard) > interval * silentAfterIntervals
    }
}
