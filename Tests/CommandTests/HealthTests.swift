import Foundation
import IntakeProtocol
import KioskCommands
import KioskStore
import TestSupport
import Testing

/// The judgement behind `kioskctl status`: pure, on facts the test sets.
@Suite struct HealthTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func facts(front: Double? = 10, forwarder: Double? = 10, printer: String = "ready", centre: String = "reachable",
               dead: Int = 0, oldest: Double? = nil, free: Int64 = 10 << 30, alive: Bool = true) -> HealthFacts {
        var statuses: [RoleStatusRecord] = []
        if let front { statuses.append(RoleStatusRecord(role: "front", updatedAt: now - front, state: "running", pid: 10)) }
        if let forwarder {
            statuses.append(RoleStatusRecord(role: "forwarder", updatedAt: now - forwarder, state: "running", pid: 11))
        }
        statuses.append(RoleStatusRecord(role: "printer", updatedAt: now, state: printer,
                                         detail: printer == "ready" ? "none" : "media-empty-error"))
        statuses.append(RoleStatusRecord(role: "centre", updatedAt: now, state: centre))
        return HealthFacts(
            now: now, kiosk: "JA0301", statuses: statuses,
            queue: QueueSummary(counts: [.queued: oldest == nil ? 0 : 2, .dead: dead, .forwarded: 5],
                                oldestPending: oldest.map { now - $0 }),
            lastForward: now - 60, printerQueue: "kiosk-receipt", printJobs: [:],
            disk: KioskHealth.Disk(freeBytes: free, totalBytes: 100 << 30),
            heartbeatGrace: ["front": .seconds(90), "forwarder": .seconds(190)], processExists: { _ in alive })
    }

    @Test func allWellIsOKAndExitsZero() {
        let health = KioskHealth.evaluate(facts())
        #expect(health.overall == .ok && health.overall.exitCode == 0 && health.problems.isEmpty)
        #expect(health.roles["front"]?.up == true && health.roles["forwarder"]?.up == true)
        #expect(health.printer.reasons.isEmpty, "'none' is no reason")
    }

    @Test(arguments: [
        (printer: "paper-out", centre: "reachable", dead: 0, oldest: nil as Double?, free: Int64(10 << 30)),
        (printer: "ready", centre: "unreachable", dead: 0, oldest: nil, free: 10 << 30),
        (printer: "ready", centre: "reachable", dead: 1, oldest: nil, free: 10 << 30),
        (printer: "ready", centre: "reachable", dead: 0, oldest: 7200, free: 10 << 30),
        (printer: "ready", centre: "reachable", dead: 0, oldest: nil, free: 100 << 20),
    ])
    func eachFaultTheTechnicianMustSeeIsDegraded(printer: String, centre: String, dead: Int, oldest: Double?, free: Int64) {
        let health = KioskHealth.evaluate(facts(printer: printer, centre: centre, dead: dead, oldest: oldest, free: free))
        #expect(health.overall == .degraded && health.overall.exitCode == 1)
        #expect(health.problems.count == 1, "\(health.problems)")
    }

    @Test func aWaitingRequestYoungerThanAnHourIsFine() {
        #expect(KioskHealth.evaluate(facts(oldest: 600)).overall == .ok)
    }

    @Test func aRedRequestWaitingOverFifteenMinutesIsDegradedAndTravelsInTheHeartbeat() {
        var waiting = facts(oldest: 1000)
        waiting.queue.oldestRedPending = now - 1000
        let health = KioskHealth.evaluate(waiting)
        #expect(health.overall == .degraded && health.problems == ["a red request has waited 16 min to reach the centre"])
        #expect(health.queue.oldestRedPendingSeconds == 1000)
        var recent = facts(oldest: 1000)
        recent.queue.oldestRedPending = now - 800
        #expect(KioskHealth.evaluate(recent).overall == .ok)
        // What the centre's fleet view reads.
        let sent = health.heartbeatHealth
        #expect(sent.overall == "degraded" && sent.oldestRedPendingSeconds == 1000 && sent.problems == health.problems)
        #expect(sent.roles["front"] == .init(up: true, state: "running") && sent.printerReasons.isEmpty)
        #expect(sent.diskFreeBytes == 10 << 30 && sent.lastForward == now - 60)
    }

    @Test func aMissingStaleOrExitedRoleIsDown() {
        let never = KioskHealth.evaluate(facts(front: nil))
        #expect(never.overall == .down && never.overall.exitCode == 2)
        #expect(never.roles["front"]?.state == "never started")
        let stale = KioskHealth.evaluate(facts(forwarder: 600))
        #expect(stale.overall == .down && stale.roles["forwarder"]?.state == "no heartbeat")
        let exited = KioskHealth.evaluate(facts(alive: false))
        #expect(exited.overall == .down && exited.roles["front"]?.state == "exited")
        // Down outranks degraded.
        #expect(KioskHealth.evaluate(facts(front: nil, printer: "paper-out")).overall == .down)
    }

    @Test func aDamagedDatabaseIsDown() {
        var damaged = facts()
        damaged.statuses.append(RoleStatusRecord(role: "database", updatedAt: now, state: "damaged",
                                                 detail: "page 12 is never used"))
        let health = KioskHealth.evaluate(damaged)
        #expect(health.overall == .down && health.problems.first?.hasPrefix("database damaged: page 12") == true)
        var fine = facts()
        fine.statuses.append(RoleStatusRecord(role: "database", updatedAt: now, state: "ok"))
        #expect(KioskHealth.evaluate(fine).overall == .ok)
    }

    @Test func jsonAndMetricsCarryTheFieldsMonitoringReads() throws {
        let health = KioskHealth.evaluate(facts(printer: "paper-out", oldest: 30))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(health.json().utf8)) as? [String: Any])
        for key in ["overall", "problems", "kiosk", "version", "roles", "queue", "last_forward", "centre", "printer",
                    "last_screen_render", "disk"] {
            #expect(json[key] != nil, "\(key)")
        }
        let queue = try #require(json["queue"] as? [String: Any])
        #expect(queue["oldest_pending_seconds"] as? Int == 30 && queue["queued"] as? Int == 2)
        let metrics = health.prometheus()
        #expect(metrics.contains("kiosk_health 1\n"))
        #expect(metrics.contains("kiosk_printer_state{queue=\"kiosk-receipt\",state=\"paper-out\"} 1\n"))
        #expect(metrics.contains("kiosk_queue_oldest_pending_seconds 30\n"))
        // Every sample belongs to a declared metric.
        let declared = Set(metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
            .map { String($0.split(separator: " ")[2]) })
        for line in metrics.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(declared.contains(name), "\(line)")
        }
    }
}

/// `kioskctl status` on a kiosk that cannot run at all.
@Suite struct StatusCommandTests {
    @Test func aKioskWithoutKeysIsDownAndSaysWhyInJSONToo() throws {
        let state = try temporaryFolder("state")
        let environment = ["KIOSK_CONFIG": shippedConfig.path, "KIOSK_STATE": state.path]
        let result = try run("kioskctl", ["status", "--json"], environment: environment)
        #expect(result.status == 2)
        struct Down: Decodable { var overall: String; var problems: [String] }
        let down = try JSONDecoder().decode(Down.self, from: Data(result.stdout.utf8))
        #expect(down.overall == "down" && down.problems.contains { $0.contains("centre-public.key") }, "\(down.problems)")
        #expect(down.problems.contains { $0.contains("centre.key") && $0.contains("kioskctl credentials") }, "\(down.problems)")
        let text = try run("kioskctl", ["status"], environment: environment)
        #expect(text.status == 2 && text.stdout.contains("down") && text.stdout.contains("centre-public.key"), "\(text.stdout)")
    }

    /// A technician's command run as root before the first boot must not
    /// leave a root-owned database the services cannot write: only the
    /// services (and `kioskd migrate`) create it. No command here needs a key.
    @Test func theToolsNeverCreateTheDatabaseAndNeedNoKey() throws {
        let state = try temporaryFolder("state")
        let environment = ["KIOSK_CONFIG": shippedConfig.path, "KIOSK_STATE": state.path,
                           "CUPS_SERVER": state.appendingPathComponent("no-cupsd.sock").path]
        let database = state.appendingPathComponent("kiosk.sqlite").path
        let status = try run("kioskctl", ["status"], environment: environment)
        #expect(status.status == 2 && status.stdout.contains("no database at \(database) yet"), "\(status.stdout)")
        let metrics = try run("kioskctl", ["metrics"], environment: environment)
        #expect(metrics.status == 2 && metrics.stdout.contains("kiosk_health 2\n"), "\(metrics.stdout)")
        let textfile = state.appendingPathComponent("kiosk.prom")
        #expect(try run("kioskctl", ["metrics", "--textfile", textfile.path], environment: environment).status == 2)
        #expect(try String(contentsOf: textfile, encoding: .utf8).contains("kiosk_health 2\n"), "written even when down")
        for arguments in [["queue", "list"], ["queue", "dead"], ["progress", "JA0301-261129-0042-2"]] {
            let result = try run("kioskctl", arguments, environment: environment)
            #expect(result.status == 1 && result.stderr.contains("the kiosk's services create it"), "\(arguments): \(result.stderr)")
        }
        // The printer's state comes from CUPS alone (unreachable here: exit 1, said plainly).
        let printer = try run("kioskctl", ["printer", "status", "--json"], environment: environment)
        #expect(printer.status == 1 && printer.stdout.contains("\"condition\":\"cups-unreachable\""), "\(printer.stdout)")
        #expect(printer.stdout.contains("\"can_print\":false"), "one key style: snake_case")
        #expect(!FileManager.default.fileExists(atPath: database), "a tool created the database")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).allSatisfy { !$0.hasPrefix("kiosk.sqlite") })
    }

    @Test func aConfigurationThatCannotBeReadIsDown() throws {
        let state = try temporaryFolder("state")
        let environment = ["KIOSK_CONFIG": state.appendingPathComponent("no-such-folder").path, "KIOSK_STATE": state.path]
        let text = try run("kioskctl", ["status"], environment: environment)
        #expect(text.status == 2 && text.stdout.contains("kiosk: down") && text.stdout.contains("kiosk.yaml"), "\(text.stdout)")
        let json = try run("kioskctl", ["status", "--json"], environment: environment)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(json.status == 2 && report["overall"] as? String == "down")
        // The same keys as a full report, unknown ones null.
        for key in ["kiosk", "queue", "centre", "printer", "last_forward", "last_screen_render", "disk"] {
            #expect(report[key] is NSNull, "\(key)")
        }
    }

    @Test func aNewKioskBeforeItsRolesStartIsDown() throws {
        let state = try temporaryFolder("state")
        let environment = ["KIOSK_CONFIG": shippedConfig.path, "KIOSK_STATE": state.path]
        #expect(try run("kioskctl", ["credentials", "init"], environment: environment).status == 0)
        // The two lines `kiosk-center kiosk add` prints: a secret, the centre's public key.
        let enrolment = String(repeating: "ab", count: 32) + "\nx25519:" + Data(repeating: 9, count: 32).base64EncodedString() + "\n"
        #expect(try run("kioskctl", ["credentials", "centre-secret"], environment: environment, input: enrolment).status == 0)
        #expect(try run("kioskd", ["migrate"], environment: environment).status == 0)
        let result = try run("kioskctl", ["status"], environment: environment)
        #expect(result.status == 2)
        #expect(result.stdout.contains("front is down (never started)"))
        #expect(result.stdout.contains("forwarder is down (never started)"))
        // Unset values are null, not missing: a role never seen has no pid.
        let json = try run("kioskctl", ["status", "--json"], environment: environment)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let front = try #require((report["roles"] as? [String: Any])?["front"] as? [String: Any])
        #expect(front["pid"] is NSNull && front["last_seen"] is NSNull, "\(front)")
        #expect(report["last_forward"] is NSNull)
    }
}
