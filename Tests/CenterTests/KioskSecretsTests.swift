import CentreIntake
import CentreSQLite
import CentreStore
import CentreTestSupport
import Foundation
import GRDB
import IntakeProtocol
import KioskDomain
import KioskStore
import StorageSupport
import TestSupport
import Testing


/// Kiosk secrets at the centre: sealed at rest, rotated without voiding
/// earlier receipts, revoked at once.
@Suite struct KioskSecretsTests {
    /// A copy of the centre's database (a backup, a stolen disk) holds no
    /// kiosk secret: not as hex, not as bytes.
    @Test func theDatabaseFilesHoldNoKioskSecret() async throws {
        let centre = try await CenterFixture()
        let rotated = try await centre.store.rotateKiosk("JA0301")
        let bytes = try databaseBytes(centre.folder)
        for secret in [centre.kioskSecret, rotated] {
            #expect(!bytes.contains(Data(secret.utf8)), "hex secret in the files")
            #expect(!bytes.contains(Data([UInt8](hex: secret)!)), "raw secret in the files")
        }
    }

    /// A database from before secrets were sealed: the first start seals
    /// them and leaves none in the clear; the kiosk goes on signing as before.
    @Test func secretsKeptInTheClearByAnEarlierVersionAreSealedAtStart() async throws {
        let folder = try temporaryFolder("centre-v3")
        let path = folder.appendingPathComponent("center.sqlite").path
        let secret = RequestSigner.newSecret()
        do {
            let queue = try DatabaseQueue(path: path)
            try CenterMigrations.migrator.migrate(queue, upTo: "v3-heartbeat-replay-guard")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO kiosks (code, secret, created_at) VALUES ('JA0301', ?, 0)", arguments: [secret])
            }
        }
        let store = try await CenterStore(path: path, sealKey: Array(repeating: 7, count: 32))
        #expect(try await store.secret(of: "JA0301") == [UInt8](hex: secret))
        #expect(try await store.kiosks().map(\.generation) == [1])
        #expect(!(try databaseBytes(folder)).contains(Data(secret.utf8)))
        let reopened = try await CenterStore(path: path, sealKey: Array(repeating: 7, count: 32))
        #expect(try await reopened.secret(of: "JA0301") == [UInt8](hex: secret), "sealed once, not twice")
        await #expect(throws: SealingError.self, "another seal key opens no secret") {
            try await CenterStore(path: path, sealKey: Array(repeating: 8, count: 32)).receiptKeys(kiosk: "JA0301")
        }
    }

    @Test(arguments: CenterBackend.allCases) func rotatingRetiresTheOldSecretAndKeepsItsReceiptsVerifiable(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let oldTicket = try centre.token(ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 1).description)
        let new = try await centre.store.rotateKiosk("JA0301", actor: "li.supervisor")
        #expect(new != centre.kioskSecret)
        #expect(try await centre.store.secret(of: "JA0301") == [UInt8](hex: new))
        let keys = try await centre.store.receiptKeys(kiosk: "JA0301")
        #expect(keys.count == 2)
        #expect(keys.contains { (try? ReceiptToken(verifying: oldTicket.description, key: $0)) != nil })
        #expect(try await centre.store.kiosks().first?.generation == 2)
        #expect(try await centre.store.auditEntries().contains { $0.action == "kiosk_rotated" && $0.actor == "li.supervisor" })
    }

    @Test(arguments: CenterBackend.allCases) func aRevokedKioskSignsNothingAndItsBundlesAreRefused(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let secret = [UInt8](hex: centre.kioskSecret)!
        let bundle = try OfflineBundle.seal(bodies: [], kioskCode: "JA0301", secret: secret)
        try await centre.store.revokeKiosk("JA0301")
        #expect(try await centre.store.secret(of: "JA0301") == nil)
        let envelopes = IntakeEnvelopes(key: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()))
        await #expect { try await envelopes.importBundle(bundle, into: centre.store) } throws: { "\($0)".contains("revoked") }
        #expect(try await centre.store.receiptKeys(kiosk: "JA0301").count == 1, "its receipts still verify")
        #expect(try await centre.store.kiosks().first?.revokedAt != nil)
        await #expect { try await centre.store.revokeKiosk("JA0301") } throws: { "\($0)".contains("already revoked") }
        await #expect { try await centre.store.addKiosk("JA0301") } throws: { "\($0)".contains("kiosk rotate") }
        // Found again: a new secret lets it back in.
        let back = try await centre.store.rotateKiosk("JA0301")
        #expect(try await centre.store.secret(of: "JA0301") == [UInt8](hex: back))
    }

    func databaseBytes(_ folder: URL) throws -> Data {
        var data = Data()
        for suffix in ["", "-wal"] {
            let url = folder.appendingPathComponent("center.sqlite" + suffix)
            if let bytes = FileManager.default.contents(atPath: url.path) { data.append(bytes) }
        }
        return data
    }

    /// A bundle is checked as intake checks a request, before anything of it is stored.
    @Test func aBundleWithABodyThatIsNoRequestIsRefusedWhole() async throws {
        let centre = try await CenterFixture(.sqlite)
        let secret = [UInt8](hex: centre.kioskSecret)!
        let bundle = try OfflineBundle.seal(bodies: [Data("{\"not\": \"a request\"}".utf8)], kioskCode: "JA0301",
                                            secret: secret)
        let envelopes = IntakeEnvelopes(key: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()))
        await #expect { try await envelopes.importBundle(bundle, into: centre.store) } throws: {
            "\($0)".contains("not a submission")
        }
        #expect(try await centre.store.submissionCounts().total == 0)
    }
}
