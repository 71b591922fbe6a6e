import CentrePostgres
import CentreStore
import CentreTestSupport
import Foundation
import IntakeProtocol
import KioskStore
import StorageSupport
import TestSupport
import Testing

/// A district: several kiosks behind a balancer, two `kiosk-center serve`
/// processes on one PostgreSQL. The database decides what is held, so
/// exactly-once holds across processes, through kills of either and a crash
/// of the database itself.
@Suite(.serialized) struct DistrictTests {
    struct District {
        let lab: PostgresLab
        let url: String
        let credentials: URL
        let centres: [CenterProcess]
        let balancer: LoopbackBalancer

        init() throws {
            lab = try PostgresLab.get()
            url = try lab.makeDatabase("district")
            let root = try temporaryFolder("district")
            let config = try centreConfiguration(database: url, in: root)
            // One set of keys and the database password, shared by both processes.
            let credentials = root.appendingPathComponent("credentials")
            self.credentials = credentials
            try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
            try writeSecret(try lab.password + "\n", to: credentials.appendingPathComponent("center-database.password"))
            let centres = try ["centre-a", "centre-b"].map { name in
                let state = root.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
                return try CenterProcess(state: state, config: config, credentials: credentials)
            }
            self.centres = centres
            balancer = try LoopbackBalancer(backends: centres.map(\.port))
        }

        /// The district's store, opened as the centres open it.
        func openCentreStore() async throws -> CenterStore {
            let database = try await PostgresCenterDatabase(try CenterBackend.settings(url), password: try lab.password)
            return try await CenterStore(database: database,
                                   sealKey: try CredentialStore(directory: credentials).key(named: "center-seal.key"))
        }

        /// A kiosk sending small batches, so kills land while requests are in flight.
        func kiosk(_ code: String) async throws -> KioskSide {
            try KioskSide(centrePort: balancer.port, centreKey: centres[0].publicKey, secret: try centres[0].addKiosk(code),
                          batchSize: 2, kioskCode: code)
        }

        /// Starts a killed centre again on its port, as systemd would (the
        /// database may be down for a moment: it is tried until it starts).
        func restart(_ centre: CenterProcess) async throws {
            var attempts = 0
            while true {
                do {
                    try centre.start()
                    return
                } catch where attempts < 40 {
                    attempts += 1
                    centre.stop(signal: SIGKILL)
                    try await Task.sleep(for: .seconds(0.5))
                }
            }
        }
    }

    @Test func everyRequestIsHeldOnceThroughKillsOfEitherCentreAndACrashOfTheDatabase() async throws {
        let district = try District()
        var kiosks: [KioskSide] = []
        for code in ["JA0301", "JA0302", "JA0303"] { kiosks.append(try await district.kiosk(code)) }
        for kiosk in kiosks { try kiosk.submit(300) }
        let kioskd = productsDirectory().appendingPathComponent("kioskd").path
        let forwarders = try kiosks.map {
            try Subprocess([kioskd, "forwarder"], environment: $0.environment,
                           output: $0.state.appendingPathComponent("forwarder.log"))
        }
        var generator = SystemRandomNumberGenerator()
        var waitingAtCrash = 0
        for round in 0..<10 {
            try await Task.sleep(for: .seconds(Double.random(in: 0.1...0.6, using: &generator)))
            let victim = district.centres[Int.random(in: 0..<2, using: &generator)]
            victim.stop(signal: SIGKILL)
            if round == 3 {
                waitingAtCrash = try kiosks.map { try $0.store.queueSummary()[.queued] ?? 0 }.reduce(0, +)
                try district.lab.crashAndRecover()
            }
            try await Task.sleep(for: .seconds(Double.random(in: 0.1...0.5, using: &generator)))
            try await district.restart(victim)
        }
        #expect(waitingAtCrash > 0, "the database crashed while requests were still on their way")
        for kiosk in kiosks { #expect(kiosk.waitUntilDrained(timeout: 180), "\(kiosk.configuration.identity.kioskCode) drained") }
        for forwarder in forwarders {
            forwarder.signal(SIGTERM)
            forwarder.wait()
        }

        let store = try await district.openCentreStore()
        defer { store.close() }
        let counts = try await store.submissionCounts()
        #expect(counts.total == 900 && counts.distinctIDs == 900 && counts.distinctReceipts == 900, "\(counts)")
        for kiosk in kiosks {
            let forwarded = try kiosk.store.records(in: .forwarded, limit: 1000)
            #expect(forwarded.count == 300)
            #expect(Set(forwarded.compactMap(\.centreReference)).count == 300)
            for record in forwarded.prefix(20) {
                let body = try #require(try await store.body(ofReference: record.centreReference!))
                #expect(body.submissionId.uuidString.lowercased() == record.id, "the reference names this very request")
            }
        }
        // Both processes took requests.
        for centre in district.centres {
            let log = try String(contentsOf: URL(fileURLWithPath: centre.log.path + ".err"), encoding: .utf8)
            #expect(log.contains("submission received"), "\(centre.state.lastPathComponent) stored none")
        }
        await #expect(try store.integrityCheck() == ["ok"])
    }
}
