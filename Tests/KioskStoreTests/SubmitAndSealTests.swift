import Foundation
import GRDB
import KioskDomain
import Testing
@testable import KioskStore

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
        let read = try #require(try store.submission(id: request.id))
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

    @Test func anotherKeyCannotOpenSealedData() throws {
        let fixture = try StoreFixture()
        let request = try fixture.request()
        _ = try fixture.open().submit(request, now: morning)
        let wrongKey = try fixture.open(key: Array(repeating: 9, count: 32))
        #expect(throws: StoreError.self) { try wrongKey.submission(id: request.id) }
    }

    @Test func aSealedBlobMovedToAnotherRowDoesNotOpen() throws {
        let sealer = Sealer(keyBytes: Array(repeating: 1, count: 32))
        let blob = try sealer.seal(Data("王".utf8), boundTo: UUID())
        #expect(throws: StoreError.self) { try sealer.open(blob, boundTo: UUID()) }
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
        #expect(throws: StoreError.self, "writable by the group") { try credentials.key(named: "b64.key") }
        let bad = credentials.url(for: "bad.key")
        try "too short".write(to: bad, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: bad.path)
        #expect(throws: StoreError.self) { try credentials.key(named: "bad.key") }
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
        #expect(throws: StoreError.self) { try PersonalData(decoding: Data("personal-v9\nname\tx\n".utf8)) }
        let applicant = Applicant(name: "a\tb", phone: try PhoneNumber(parsing: "13800138000"), residentID: nil,
                                  street: "s", community: "c", addressDetail: "", householdSize: 1)
        let data = PersonalData(applicant: applicant, description: "", answers: [], triageReasons: [], scores: .zero)
        #expect(throws: StoreError.self) { try data.encoded() }
    }
}
