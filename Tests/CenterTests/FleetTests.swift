import CentreOperations
@testable import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain
import TestSupport
import Testing


/// A heartbeat as kioskd's forwarder sends it, for a kiosk in a given state.
func heartbeat(_ code: String, at sentAt: Date, interval: Int = 60, queue: Int = 0, oldest: Int? = nil,
               oldestRed: Int? = nil, dead: Int = 0, printer: String? = "ready", reasons: [String] = [],
               rolesDown: [String] = [], database: String? = "ok", diskFree: Int64 = 20 << 30) -> KioskHeartbeat {
    let roles = Dictionary(uniqueKeysWithValues: ["front", "forwarder"].map { name in
        (name, KioskHeartbeat.Health.Role(up: !rolesDown.contains(name), state: rolesDown.contains(name) ? "exited" : "running"))
    })
    return KioskHeartbeat(
        kioskCode: code, sentAt: sentAt, version: "1.2.0", queueDepth: queue, oldestPendingSeconds: oldest,
        deadCount: dead, printerState: printer, lastScreenRender: sentAt, intervalSeconds: interval,
        health: .init(overall: "ok", problems: [], roles: roles, oldestRedPendingSeconds: oldestRed,
                      lastForward: sentAt, printerReasons: reasons, databaseCheck: database,
                      diskFreeBytes: diskFree, diskTotalBytes: 32 << 30))
}

/// The centre's judgement of a heartbeat: pure, the rules `kioskctl status` uses.
@Suite struct FleetJudgementTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func judge(_ beat: KioskHeartbeat) -> (FleetHealth, [FleetProblem]) {
        let (health, problems) = FleetJudgement.judge(beat, receivedAt: now)
        return (health, problems)
    }

    @Test func aKioskWithNothingWrongIsOk() {
        #expect(judge(heartbeat("JA0301", at: now)) == (.ok, []))
    }

    @Test func aServiceNotRunningOrADamagedDatabaseIsDown() {
        #expect(judge(heartbeat("JA0301", at: now, rolesDown: ["front"])) == (.down, [.roleDown(role: "front", state: "exited")]))
        #expect(judge(heartbeat("JA0301", at: now, database: "damaged")) == (.down, [.databaseDamaged]))
    }

    @Test func whatAResidentMeetsOrWaitsForIsDegraded() {
        #expect(judge(heartbeat("JA0301", at: now, printer: "paper-out", reasons: ["media-empty-error"])) == (.degraded, [.paperOut]))
        #expect(judge(heartbeat("JA0301", at: now, printer: "jammed", reasons: ["media-jam-error"]))
            == (.degraded, [.printer(state: "jammed", reasons: ["media-jam-error"])]))
        #expect(judge(heartbeat("JA0301", at: now, dead: 2)) == (.degraded, [.deadRequests(2)]))
        #expect(judge(heartbeat("JA0301", at: now, oldestRed: 901)) == (.degraded, [.redWaiting(seconds: 901)]))
        #expect(judge(heartbeat("JA0301", at: now, oldestRed: 899)) == (.ok, []))
        #expect(judge(heartbeat("JA0301", at: now, oldest: 3601)) == (.degraded, [.oldestWaiting(seconds: 3601)]))
        #expect(judge(heartbeat("JA0301", at: now, diskFree: 100 << 20)) == (.degraded, [.diskNearlyFull(freeBytes: 100 << 20)]))
    }

    /// 5 % of a small disk, a fixed floor below that, and a cap above: a large
    /// disk with gigabytes free is not nearly full (a 252 GiB disk with 11 GiB
    /// free once turned a whole kiosk "degraded").
    @Test func nearlyFullIsFivePercentBetweenAFloorAndACap() {
        let gib: Int64 = 1 << 30
        #expect(HealthThresholds.diskNearlyFull(freeBytes: 200 << 20, totalBytes: 2 * gib))
        #expect(!HealthThresholds.diskNearlyFull(freeBytes: 300 << 20, totalBytes: 2 * gib))
        #expect(HealthThresholds.diskNearlyFull(freeBytes: 1 * gib, totalBytes: 32 * gib))
        #expect(!HealthThresholds.diskNearlyFull(freeBytes: 2 * gib, totalBytes: 32 * gib))
        #expect(!HealthThresholds.diskNearlyFull(freeBytes: 11 * gib, totalBytes: 252 * gib))
        #expect(HealthThresholds.diskNearlyFull(freeBytes: gib, totalBytes: 252 * gib))
    }

    @Test func aClockOffIsFlaggedBeforeItsRequestsAreRefused() {
        #expect(judge(heartbeat("JA0301", at: now.addingTimeInterval(30))) == (.ok, []))
        #expect(judge(heartbeat("JA0301", at: now.addingTimeInterval(-90))) == (.degraded, [.clockDrifting(offsetSeconds: -90)]))
        #expect(judge(heartbeat("JA0301", at: now.addingTimeInterval(400))) == (.degraded, [.clockRefused(offsetSeconds: 400)]))
    }

    @Test func aHeartbeatFromAnOlderKioskIsJudgedFromItsCounts() {
        let old = KioskHeartbeat(kioskCode: "JA0301", sentAt: now, version: "0.9", queueDepth: 3, oldestPendingSeconds: 4000,
                                 deadCount: 0, printerState: "offline", lastScreenRender: nil)
        #expect(judge(old) == (.degraded, [.printer(state: "offline", reasons: []), .oldestWaiting(seconds: 4000)]))
    }

    @Test func silentAfterThreeOfItsIntervals() {
        let heard = now.addingTimeInterval(-100)
        #expect(!FleetJudgement.isSilent(lastHeard: heard, intervalSeconds: 60, now: now))
        #expect(FleetJudgement.isSilent(lastHeard: heard, intervalSeconds: 30, now: now))
        #expect(FleetJudgement.isSilent(lastHeard: nil, intervalSeconds: 60, now: now))
        #expect(!FleetJudgement.isSilent(lastHeard: heard, intervalSeconds: nil, now: now), "a minute when unsaid")
    }
}

/// The fleet as the centre keeps it, on both engines: latest heartbeat,
/// health and since when, silence, a refused clock, the history's buckets.
@Suite struct FleetStoreTests {
    @Test(arguments: CenterBackend.allCases) func theFleetIsWorstFirstAndKnowsSinceWhen(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let store = centre.store
        for (code, street) in [("JA0302", "nanjing-west"), ("JA0303", "jingan-temple"), ("JA0304", "jingan-temple"),
                               ("JA0305", "jingan-temple")] {
            _ = try await store.addKiosk(code, street: street)
        }
        try await store.setKioskStreet("JA0301", street: "nanjing-west")
        try await store.setKioskPlace("JA0301", place: "武定路社区中心")
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3600).rounded(.down))
        var signature = 0
        func send(_ beat: KioskHeartbeat, at: Date) async throws {
            signature += 1
            #expect(try await store.recordHeartbeat(beat, body: try beat.encoded(), signature: "v1=\(signature)", now: at))
        }
        // JA0301 fine for an hour; JA0302 out of paper for the last 20 minutes;
        // JA0303 down; JA0304 last heard 10 minutes ago; JA0305 never heard.
        for minute in stride(from: 0, through: 60, by: 1) {
            let at = start.addingTimeInterval(Double(minute) * 60)
            try await send(heartbeat("JA0301", at: at, queue: minute % 3), at: at)
            try await send(heartbeat("JA0302", at: at, printer: minute >= 40 ? "paper-out" : "ready",
                                     reasons: minute >= 40 ? ["media-empty-error"] : []), at: at)
            try await send(heartbeat("JA0303", at: at, rolesDown: minute >= 30 ? ["forwarder"] : []), at: at)
            if minute <= 50 { try await send(heartbeat("JA0304", at: at), at: at) }
        }
        let now = start.addingTimeInterval(3600 + 5)
        let fleet = try await store.fleet(now: now)
        #expect(fleet.map(\.code) == ["JA0303", "JA0304", "JA0305", "JA0302", "JA0301"], "silent the longest first")
        #expect(fleet.map(\.health) == [.down, .silent, .silent, .degraded, .ok])
        let byCode = Dictionary(uniqueKeysWithValues: fleet.map { ($0.code, $0) })
        #expect(byCode["JA0302"]?.since == start.addingTimeInterval(40 * 60), "degraded since the first heartbeat out of paper")
        #expect(byCode["JA0301"]?.since == start, "ok since its first heartbeat")
        #expect(byCode["JA0301"]?.place == "武定路社区中心" && byCode["JA0301"]?.street == "nanjing-west")
        #expect(byCode["JA0304"]?.problems.first == .silent(lastHeard: start.addingTimeInterval(50 * 60)))
        #expect(byCode["JA0305"]?.problems == [.neverHeard])
        #expect(byCode["JA0303"]?.problems == [.roleDown(role: "forwarder", state: "exited")])
        #expect(try await store.fleet(street: "nanjing-west", now: now).map(\.code) == ["JA0302", "JA0301"])

        // A heartbeat's body is kept only when something changed.
        let kept: Int = try await store.database.read { try await $0.fetchValue("SELECT COUNT(*) FROM heartbeats WHERE body != ''") ?? 0 }
        #expect(kept == 1 + 2 + 2 + 1, "JA0301 once, JA0302 and JA0303 at their change, JA0304 once")
        let changes = try await store.kioskChanges("JA0302")
        #expect(changes.map(\.health) == [.degraded, .ok] && changes.first?.problems == [.paperOut])
        #expect(changes.first?.at == start.addingTimeInterval(40 * 60))

        // The hour's history: the highest queue and the minutes without paper.
        let history = try await store.kioskHistory("JA0302", since: start, bucket: 1800)
        #expect(history.map(\.heartbeats) == [30, 30, 1])
        #expect(history.map(\.printerNotReady) == [0, 20, 1])
        #expect(try await store.kioskHistory("JA0301", since: start, bucket: 3600).first?.maxQueueDepth == 2)

        // A kiosk refused for its clock is down until a heartbeat gets through.
        try await store.noteClockRefused(kiosk: "JA0301", offsetSeconds: -7200, now: now)
        var refused = try #require(try await store.fleetKiosk("JA0301", now: now))
        #expect(refused.health == .down && refused.problems.first == .clockRefused(offsetSeconds: -7200))
        try await send(heartbeat("JA0301", at: now.addingTimeInterval(1)), at: now.addingTimeInterval(1))
        refused = try #require(try await store.fleetKiosk("JA0301", now: now.addingTimeInterval(2)))
        #expect(refused.health == .ok && refused.problems.isEmpty)
        #expect(refused.since == start, "still ok since its first heartbeat: the refusal came between two")

        // JA0303's forwarder back and its front down by the next heartbeat:
        // down all along, and a change its history keeps.
        let next = now.addingTimeInterval(1)
        try await send(heartbeat("JA0303", at: next, rolesDown: ["front"]), at: next)
        #expect(try await store.kioskChanges("JA0303").first?.problems == [.roleDown(role: "front", state: "exited")])
        #expect(try await store.kioskChanges("JA0303").first?.at == next)
        #expect(try await store.fleetKiosk("JA0303", now: next)?.since == start.addingTimeInterval(30 * 60), "down since the forwarder went")

        // A silence then the same health: since when it was heard again.
        let back = now.addingTimeInterval(600)
        try await send(heartbeat("JA0304", at: back), at: back)
        #expect(try await store.fleetKiosk("JA0304", now: back)?.since == back)
        // A replayed heartbeat is refused.
        let replay = heartbeat("JA0304", at: back)
        #expect(try await !store.recordHeartbeat(replay, body: try replay.encoded(), signature: "v1=\(signature)", now: back))
    }

    @Test func theMetricsLabelEachKioskAndEscapeWhatTheyMust() throws {
        let now = Date()
        let beat = heartbeat("JA0301", at: now, printer: "paper-out", reasons: ["media-empty-error"])
        let kiosk = CenterStore.FleetKiosk(code: "JA0301", street: "a\"b\\c", place: nil, health: .degraded, since: now,
                                           problems: [.paperOut], lastHeard: now, heartbeat: beat, clockOffsetSeconds: 0)
        let text = OperationsEndpoints.fleetExposition([kiosk])
        #expect(text.contains("kiosk_printer_paper_out{kiosk=\"JA0301\",street=\"a\\\"b\\\\c\"} 1\n"))
        #expect(text.contains("kiosk_up{kiosk=\"JA0301\",street=\"a\\\"b\\\\c\"} 1\n"))
        #expect(try promtoolCheckMetrics(text).status == 0)
    }
}
