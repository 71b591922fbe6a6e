import Foundation
import GRDB
import IntakeProtocol
import KioskDomain
@testable import KioskStore
import StorageSupport
import Testing

@Suite struct SubmitTests {
    @Test func writerRunsWALWithFullSynchronous() throws {
        let store = try StoreFixture().open()
        #expect(try store.writerPragma("journal_mode") == "wal")
        // 2 = FULL: GRDB opens pools with NORMAL (1); the store raises it.
        #expect(try store.writerPragma("synchronous") == "2")
        #expect(try store.writerPragma("secure_delete") == "1")
    }

    @Test func receiptNumbersCountPerKioskDay() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let first = try store.submit(try fixture.request(), now: morning)
        let second = try store.submit(try fixture.request(), now: morning.addingTimeInterval(60))
        // 16:30 UTC is already the next day in Shanghai.
        let nextDay = try store.submit(try fixture.request(), now: morning.addingTimeInterval(14.5 * 3600))
        #expect(first.receiptNumber.description.hasPrefix("JA0301-261129-0001-"))
        #expect(second.receiptNumber.description.hasPrefix("JA0301-261129-0002-"))
        #expect(nextDay.receiptNumber.description.hasPrefix("JA0301-261130-0001-"))
        #expect(try ReceiptNumber(parsing: second.receiptNumber.description) == second.receiptNumber)
    }

    @Test func submittingTheSameRequestTwiceStoresItOnce() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let request = try fixture.request()
        let first = try store.submit(request, now: morning)
        let again = try store.submit(request, now: morning.addingTimeInterval(5))
        #expect(again.receiptNumber == first.receiptNumber)
        #expect(try store.queueSummary()[.queued] == 1)
    }

    @Test func aStoredRequestReadsBackWhole() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let request = try fixture.request(emergency: true)
        let stored = try store.submit(request, now: morning)
        // Opened as the centre opens it: the kiosk itself cannot.
        let read = try #require(try store.sealedSubmission(id: request.id)).opened(with: fixture.centreKey)
        #expect(read.request == request)
        #expect(read.receiptNumber == stored.receiptNumber)
        let record = try #require(try store.record(receipt: stored.receiptNumber))
        #expect(record.hardship == "red")
        #expect(record.priority == 0)
        #expect(try store.auditTrail(submissionID: record.id).map(\.event).isEmpty, "the row itself records the submission")
    }
}

@Suite struct SealingTests {
    @Test func theDatabaseFilesHoldNoNamePhoneOrIDNumber() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        for index in 0..<5 {
            _ = try store.submit(try fixture.request(emergency: index == 0), now: morning)
        }
        let bytes = try fixture.rawFileBytes()
        #expect(bytes.count > 10_000)
        #expect(bytes.contains(text: "meal-assistance"), "the search itself must see plain columns")
        for secret in [StoreFixture.name, StoreFixture.phone, StoreFixture.residentID, "武定路", "独居", "none-today"] {
            #expect(!bytes.contains(text: secret), "\(secret) found in the database files")
        }
    }

    /// A stolen kiosk disk: the database, every key file the kiosk holds,
    /// and the front's own store object together open nothing.
    @Test func theKioskDatabaseAndItsKeysTogetherCannotOpenAStoredRequest() throws {
        let fixture = try StoreFixture()
        let request = try fixture.request()
        let store = try fixture.open()
        _ = try store.submit(request, now: morning)
        let sealed = try #require(try store.sealedSubmission(id: request.id))
        let credentials = CredentialStore(stateDirectory: fixture.folder, environment: [:])
        try credentials.createKeyIfMissing(named: "receipt.key")
        try credentials.write(Array(repeating: 0x42, count: 32), named: "centre.key")
        try credentials.writeCentrePublicKey(fixture.centreKey.publicKey, named: "centre-public.key")
        var candidates = [try credentials.key(named: "receipt.key"), try credentials.key(named: "centre.key"),
                          Array(fixture.centreKey.publicKey.rawRepresentation)]
        candidates.append(contentsOf: (0..<8).map { _ in CentrePrivateKey.generate() })
        for key in candidates {
            // As the centre's private key…
            #expect(throws: SealingError.self) { try sealed.opened(with: try CentrePrivateKey(rawBytes: key)) }
            // …and as the symmetric seal key kiosks used to hold.
            #expect(throws: SealingError.self) { try Sealer(keyBytes: key).open(sealed.personal, boundTo: request.id) }
        }
        #expect(try sealed.opened(with: fixture.centreKey).request == request, "the centre's key opens it")
    }

    /// A database edit that raises or lowers a request's level (or changes
    /// its programme, service or receipt number) is caught at the centre.
    @Test func editingAPlainColumnMakesTheEnvelopeRefuseToOpen() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let request = try fixture.request()
        _ = try store.submit(request, now: morning)
        for edit in ["hardship = 'red', priority = 0", "programme_id = 'housing'",
                     "receipt_number = 'JA0301-261129-0009-4'", "created_at = created_at + 1"] {
            let request = try fixture.request()
            _ = try store.submit(request, now: morning)
            try store.pool.write { db in
                try db.execute(sql: "UPDATE submissions SET \(edit) WHERE id = ?", arguments: [request.id.uuidString.lowercased()])
            }
            let edited = try #require(try store.sealedSubmission(id: request.id))
            #expect(throws: SealingError.self, "\(edit)") { try edited.opened(with: fixture.centreKey) }
        }
        let untouched = try fixture.request()
        _ = try store.submit(untouched, now: morning)
        #expect(try store.sealedSubmission(id: untouched.id)?.opened(with: fixture.centreKey).request == untouched)
    }

    /// A kiosk upgraded from a version that sealed with its own symmetric
    /// key: the forwarder leaves those rows waiting (saying why), and
    /// `resealLegacy` moves them all to the centre's key at once.
    @Test func requestsSealedTheOldWayAreResealedToTheCentre() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let legacyKey = Array(repeating: UInt8(7), count: 32)
        var requests: [ValidatedRequest] = []
        for index in 0..<3 {
            let request = try fixture.request(emergency: index == 0)
            requests.append(request)
            _ = try store.submit(request, now: morning)
            // What an earlier version stored: the same personal data under the kiosk's own key.
            let personal = try PersonalData(applicant: request.applicant, description: request.description,
                                            answers: request.answers, triageReasons: request.triage.reasons,
                                            scores: request.triage.scores).encoded()
            let old = try Sealer(keyBytes: legacyKey).seal(personal, boundTo: request.id)
            try store.pool.write { db in
                try db.execute(sql: "UPDATE submissions SET sealed_personal = ? WHERE id = ?",
                               arguments: [old, request.id.uuidString.lowercased()])
            }
        }
        let forwarderView = try fixture.open(sealing: false)
        #expect(try forwarderView.legacySealedCount() == 3)
        #expect(try forwarderView.claim(limit: 10, leaseFor: .seconds(60), now: morning).isEmpty)
        let waiting = try forwarderView.records(in: .queued)
        #expect(waiting.count == 3 && waiting.allSatisfy { $0.lastError?.contains("kioskctl credentials reseal") == true })

        #expect(throws: StoreError.self, "a wrong old key moves nothing") {
            try forwarderView.resealLegacy(legacyKey: Array(repeating: 8, count: 32), to: fixture.centreKey.publicKey)
        }
        #expect(try forwarderView.legacySealedCount() == 3)
        #expect(try forwarderView.resealLegacy(legacyKey: legacyKey, to: fixture.centreKey.publicKey) == 3)
        #expect(try forwarderView.legacySealedCount() == 0)
        for request in requests {
            let sealed = try #require(try forwarderView.sealedSubmission(id: request.id))
            #expect(try sealed.opened(with: fixture.centreKey).request == request)
        }
        let later = morning.addingTimeInterval(7200)
        #expect(try forwarderView.claim(limit: 10, leaseFor: .seconds(60), now: later).count == 3)
    }

    @Test func aSealedBlobMovedToAnotherRowDoesNotOpen() throws {
        let sealer = Sealer(keyBytes: Array(repeating: 1, count: 32))
        let blob = try sealer.seal(Data("王".utf8), boundTo: UUID())
        #expect(throws: SealingError.self) { try sealer.open(blob, boundTo: UUID()) }
    }

    @Test func credentialFilesAreReadAsHexOrBase64AndNeverOverwritten() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        let credentials = CredentialStore(stateDirectory: folder, environment: [:])
        #expect(try credentials.createKeyIfMissing(named: "seal.key"))
        let key = try credentials.key(named: "seal.key")
        #expect(key.count == 32)
        #expect(try !credentials.createKeyIfMissing(named: "seal.key"))
        #expect(try credentials.key(named: "seal.key") == key)
        let attributes = try FileManager.default.attributesOfItem(atPath: credentials.url(for: "seal.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let base64 = credentials.url(for: "b64.key")
        try Data(key).base64EncodedString().write(to: base64, atomically: true, encoding: .utf8)
        // Written the way an editor or `echo … >` leaves it (0644): refused, saying how to mend it.
        #expect { try credentials.key(named: "b64.key") } throws: { "\($0)".contains("chmod 600") }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: base64.path)
        #expect(try credentials.key(named: "b64.key") == key)
        try FileManager.default.setAttributes([.posixPermissions: 0o620], ofItemAtPath: base64.path)
        #expect(throws: CredentialError.self, "writable by the group") { try credentials.key(named: "b64.key") }
        let bad = credentials.url(for: "bad.key")
        try "too short".write(to: bad, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: bad.path)
        #expect(throws: CredentialError.self) { try credentials.key(named: "bad.key") }
        let folderMode = try FileManager.default.attributesOfItem(atPath: credentials.directory.path)[.posixPermissions] as? Int
        #expect(folderMode == 0o700)

        let systemd = CredentialStore(stateDirectory: folder, environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/x"])
        #expect(systemd.url(for: "seal.key").path == "/run/credentials/x/seal.key")
    }
}

@Suite struct OpeningTests {
    @Test func aDamagedDatabaseIsRefusedAndLeftUntouched() throws {
        let fixture = try StoreFixture()
        let garbage = Data((0..<8192).map { UInt8($0 % 251) })
        try garbage.write(to: URL(fileURLWithPath: fixture.databasePath))
        #expect { try fixture.open() } throws: { ($0 as? StoreError)?.isCorrupt == true }
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath)) == garbage)
    }

    @Test func aDatabaseWithDamagedPagesFailsIntegrityCheck() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            for _ in 0..<200 { _ = try store.submit(try fixture.request(), now: morning) }
            _ = try store.writerPragma("wal_checkpoint(TRUNCATE)")
        }
        // Overwrite the middle of the file, past the header: pages of rows and indexes.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.databasePath))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 8192))
        try handle.close()
        #expect { try fixture.open() } throws: { ($0 as? StoreError)?.isCorrupt == true }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
        }
        #expect { try fixture.open() } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.isSchemaNewer && error.description.contains("v99-from-the-future")
        }
    }
}

@Suite struct PersonalDataLayoutTests {
    @Test func roundTripsEveryShapeOfRequest() throws {
        let applicant = Applicant(name: "Anna Li", phone: try PhoneNumber(parsing: "021-62481234"), residentID: nil,
                                  street: "caojiadu", community: "changshou", addressDetail: "", householdSize: 1)
        for reasons in [[TriageReason.belowThresholds(total: 0)],
                        [.emergency(question: "safety", option: "at-risk"), .score(total: 13, threshold: 12, level: .red)]] {
            let data = PersonalData(applicant: applicant, description: "", answers: [
                AssessmentAnswer(questionID: "food", optionID: "enough"),
            ], triageReasons: reasons, scores: DimensionScores(economic: 1, social: 2, development: 3))
            #expect(try PersonalData(decoding: try data.encoded()) == data)
        }
    }

    @Test func refusesUnknownLayoutsAndSeparatorsInValues() throws {
        #expect(throws: SealingError.self) { try PersonalData(decoding: Data("personal-v9\nname\tx\n".utf8)) }
        let applicant = Applicant(name: "a\tb", phone: try PhoneNumber(parsing: "13800138000"), residentID: nil,
                                  street: "s", community: "c", addressDetail: "", householdSize: 1)
        let data = PersonalData(applicant: applicant, description: "", answers: [], triageReasons: [], scores: .zero)
        #expect(throws: SealingError.self) { try data.encoded() }
    }
}
