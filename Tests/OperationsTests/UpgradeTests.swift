import Foundation
import GRDB
import IntakeProtocol
import KioskStore
import StorageSupport
import TestSupport
import Testing

/// A kiosk upgraded from a version that sealed requests with its own
/// symmetric key, as a technician upgrades it.
@Suite struct SealUpgradeTests {
    @Test func storingTheCentresKeyResealsTheQueueAndDestroysTheOldKey() throws {
        let front = try TmuxFront()
        _ = try askForHelp(on: front, questions: shippedQuestionCount)
        let store = try front.openStore()
        let record = try #require(try store.records(in: .queued).first)
        let original = try front.openedSubmission(record)

        // What the earlier version left: the request under the kiosk's own
        // seal key, that key in the credentials folder, no centre key yet.
        let credentials = CredentialStore(stateDirectory: front.state, environment: [:])
        let legacyKey = Array(repeating: UInt8(0x5A), count: 32)
        try credentials.write(legacyKey, named: "seal.key")
        let request = original.request
        let personal = try PersonalData(applicant: request.applicant, description: request.description,
                                        answers: request.answers, triageReasons: request.triage.reasons,
                                        scores: request.triage.scores).encoded()
        let old = try Sealer(keyBytes: legacyKey).seal(personal, boundTo: original.id)
        try DatabaseQueue(path: front.state.appendingPathComponent("kiosk.sqlite").path).write { db in
            try db.execute(sql: "UPDATE submissions SET sealed_personal = ? WHERE id = ?", arguments: [old, record.id])
        }
        let publicKey = try String(contentsOf: credentials.url(for: "centre-public.key"), encoding: .utf8)
        try FileManager.default.removeItem(at: credentials.url(for: "centre-public.key"))

        let migrate = try runToEnd([product("kioskd"), "migrate"], environment: front.kioskEnvironment)
        #expect(migrate.status == 0 && migrate.stderr.contains("kioskctl credentials reseal"), "\(migrate.stderr)")
        let status = try runToEnd([product("kioskctl"), "status"], environment: front.kioskEnvironment)
        #expect(status.stdout.contains("centre-public.key"), "status says what is missing: \(status.stdout)")

        let stored = try runToEnd([product("kioskctl"), "credentials", "centre-key"], environment: front.kioskEnvironment,
                                  input: publicKey)
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout.contains("1 request(s) sealed to the centre's public key"), "\(stored.stdout)")
        #expect(stored.stdout.contains("destroyed"), "\(stored.stdout)")
        #expect(!FileManager.default.fileExists(atPath: credentials.url(for: "seal.key").path))
        #expect(try front.openedSubmission(record).request == original.request, "the centre opens what was resealed")
        #expect(try store.legacySealedCount() == 0)
        let again = try runToEnd([product("kioskctl"), "credentials", "reseal"], environment: front.kioskEnvironment)
        #expect(again.status == 0 && again.stdout.contains("nothing to reseal"), "\(again.stdout)\(again.stderr)")
    }
}
