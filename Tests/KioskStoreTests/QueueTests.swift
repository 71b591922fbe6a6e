import Foundation
import GRDB
import IntakeProtocol
import KioskDomain
import Testing
@testable import KioskStore

@Suite struct QueueStateMachineTests {
    @Test func claimsRedFirstThenOldest() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let oldGreen = try store.submit(try fixture.request(), now: morning)
        let newRed = try store.submit(try fixture.request(emergency: true), now: morning.addingTimeInterval(60))
        let newGreen = try store.submit(try fixture.request(), now: morning.addingTimeInterval(120))
        let claims = try store.claim(limit: 2, leaseFor: .seconds(30), now: morning.addingTimeInterval(200))
        #expect(claims.map(\.sealed.submissionId) == [newRed.id, oldGreen.id])
        #expect(claims.allSatisfy { $0.record.state == .sending && $0.record.attempts == 1 })
        #expect(try claims[0].sealed.opened(with: fixture.centreKey).request.applicant.name == StoreFixture.name)
        let rest = try store.claim(limit: 10, leaseFor: .seconds(30), now: morning.addingTimeInterval(200))
        #expect(rest.map(\.sealed.submissionId) == [newGreen.id])
        #expect(try store.claim(limit: 10, leaseFor: .seconds(30), now: morning.addingTimeInterval(200)).isEmpty)
    }

    /// A partner's name comes from the centre: stored without control
    /// characters (kioskctl progress prints it to a technician's terminal).
    @Test func aPartnersNameFromTheCentreIsStoredFitForATerminal() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let stored = try store.submit(try fixture.request(), now: morning)
        try store.recordProgress([ProgressChange(
            id: 1, receiptNumber: stored.receiptNumber, state: .referred, at: morning,
            partner: LocalizedText(chinese: "慈善\u{1B}[2J基金会", english: "Charity\u{1B}]0;owned\u{07}" + String(repeating: "x", count: 300)))])
        let partner = try #require(try store.progress(of: stored.receiptNumber).steps.first?.partner)
        #expect(partner.chinese == "慈善\u{FFFD}[2J基金会")
        #expect(!partner.english.unicodeScalars.contains { $0.value < 0x20 } && partner.english.count <= 121)
    }

    @Test func forwardedRecordsTheCentreReferenceOnce() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let stored = try store.submit(try fixture.request(), now: morning)
        let claim = try #require(try store.claim(limit: 1, leaseFor: .seconds(30), now: morning).first)
        #expect(try store.markForwarded(claim.record.id, reference: "C-1", now: morning))
        #expect(try !store.markForwarded(claim.record.id, reference: "C-2", now: morning))
        let record = try #require(try store.record(id: stored.id))
        #expect(record.state == .forwarded)
        #expect(record.centreReference == "C-1")
        #expect(try store.auditTrail(submissionID: record.id).map(\.event) == ["forwarded"])
    }

    @Test func rescheduledRequestsWaitForTheirTime() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        _ = try store.submit(try fixture.request(), now: morning)
        let claim = try #require(try store.claim(limit: 1, leaseFor: .seconds(30), now: morning).first)
        let retryAt = morning.addingTimeInterval(10)
        #expect(try store.reschedule(claim.record.id, error: "HTTP 503", retryAt: retryAt, now: morning))
        #expect(try store.claim(limit: 1, leaseFor: .seconds(30), now: morning.addingTimeInterval(9)).isEmpty)
        let again = try #require(try store.claim(limit: 1, leaseFor: .seconds(30), now: retryAt).first)
        #expect(again.record.attempts == 2)
        #expect(again.record.lastError == "HTTP 503")
    }

    @Test func deadRequestsAreSetAsideAndCanBeRetried() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let poison = try store.submit(try fixture.request(emergency: true), now: morning)
        let healthy = try store.submit(try fixture.request(), now: morning)
        let claim = try #require(try store.claim(limit: 1, leaseFor: .seconds(30), now: morning).first)
        #expect(claim.sealed.submissionId == poison.id)
        #expect(try store.markDead(claim.record.id, reason: "409: same id with a different body", now: morning))
        #expect(try store.claim(limit: 5, leaseFor: .seconds(30), now: morning).map(\.sealed.submissionId) == [healthy.id])
        let dead = try store.records(in: .dead)
        #expect(dead.map(\.deadReason) == ["409: same id with a different body"])
        #expect(try store.retryDead(dead[0].id, now: morning))
        #expect(try store.claim(limit: 5, leaseFor: .seconds(30), now: morning).map(\.sealed.submissionId) == [poison.id])
    }

    /// The centre's words end up on a technician's terminal (`kioskctl queue
    /// dead`): escape sequences in them must arrive as harmless marks.
    @Test func reasonsFromTheWireAreStoredFitForATerminal() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        _ = try store.submit(try fixture.request(), now: morning)
        _ = try store.submit(try fixture.request(), now: morning)
        let hostile = "409 \u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\u{202E}txt.exe\n" + String(repeating: "x", count: 2000)
        let claims = try store.claim(limit: 2, leaseFor: .seconds(30), now: morning)
        #expect(try store.markDead(claims[0].record.id, reason: hostile, now: morning))
        #expect(try store.reschedule(claims[1].record.id, error: hostile, retryAt: morning, now: morning))
        let stored = try store.records(in: .dead).map(\.deadReason) + store.records(in: .queued).map(\.lastError)
        for reason in stored.compactMap({ $0 }) {
            #expect(!reason.unicodeScalars.contains { $0.isUnsafeInText }, "\(reason.debugDescription)")
            #expect(reason.hasPrefix("409 \u{FFFD}]0;owned") && reason.count <= 501)
        }
        #expect(stored.count == 2)
    }

    @Test func leasesACrashLeftBehindReturnToTheQueueAtStartUp() throws {
        let fixture = try StoreFixture()
        let request = try fixture.request()
        do {
            let store = try fixture.open()
            _ = try store.submit(request, now: morning)
            _ = try store.claim(limit: 1, leaseFor: .seconds(30), now: morning)
            // The forwarder dies here, holding the lease.
        }
        let reopened = try fixture.open()
        #expect(try reopened.queueSummary()[.sending] == 1)
        #expect(try reopened.releaseLeases(now: morning.addingTimeInterval(10)) == 0, "lease still running")
        #expect(try reopened.releaseLeases(now: morning.addingTimeInterval(31)) == 1)
        let summary = try reopened.queueSummary()
        #expect(summary[.queued] == 1 && summary[.sending] == 0)
        let claim = try #require(try reopened.claim(limit: 1, leaseFor: .seconds(30), now: morning.addingTimeInterval(31)).first)
        #expect(claim.sealed.submissionId == request.id)
        #expect(claim.record.attempts == 2)
        #expect(try reopened.auditTrail(submissionID: claim.record.id).map(\.event) == ["lease-released"])
    }

    @Test func aForwarderStartingUpReleasesEveryLease() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        _ = try store.submit(try fixture.request(), now: morning)
        _ = try store.claim(limit: 1, leaseFor: .seconds(3600), now: morning)
        #expect(try store.releaseLeases(all: true, now: morning) == 1)
    }

    @Test func theSchemaRefusesHalfMovedRows() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let stored = try store.submit(try fixture.request(), now: morning)
        let id = stored.id.uuidString.lowercased()
        for sql in [
            "UPDATE submissions SET state = 'sending' WHERE id = ?",          // no lease
            "UPDATE submissions SET state = 'forwarded' WHERE id = ?",        // no reference
            "UPDATE submissions SET state = 'dead' WHERE id = ?",             // no reason
            "UPDATE submissions SET state = 'lost' WHERE id = ?",
            "UPDATE submissions SET sealed_personal = NULL WHERE id = ?",     // purge of an unforwarded request
            "UPDATE submissions SET priority = 0 WHERE id = ?",               // priority must follow hardship
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") {
                try store.pool.write { try $0.execute(sql: sql, arguments: [id]) }
            }
        }
    }

    /// The counts the triggers keep equal a full count after every kind of
    /// move, on a database that already held requests before the counts existed.
    @Test func queueCountsStayExactWithoutScanningTheTable() throws {
        let fixture = try StoreFixture()
        try fixture.databaseAt("v3-progress-from-the-centre", holding: """
            INSERT INTO submissions (id, receipt_number, receipt_day, receipt_sequence, created_at, language,
                programme_id, service_id, hardship, priority, consent_version, consented_at, sealed_personal,
                state, attempts, next_attempt_at, dead_reason, dead_at)
            VALUES ('00000000-0000-0000-0000-000000000001', 'JA0301-261101-0001-M', '261101', 1, 1, 'zh-Hans',
                'p', 's', 'green', 2, 'consent-v1', 1, x'00', 'dead', 1, 1, '409: conflict', 1);
            """)
        let store = try fixture.open()
        func fullCount() throws -> [QueueState: Int] {
            try store.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM submissions GROUP BY state")
                    .map { (QueueState(rawValue: $0["state"])!, $0["n"] as Int) })
            }
        }
        #expect(try store.queueSummary().counts == [.dead: 1], "counted from the rows already there")
        var submitted: [Submission] = []
        for minute in 0..<6 {
            submitted.append(try store.submit(try fixture.request(emergency: minute == 0), now: morning.addingTimeInterval(Double(minute) * 60)))
        }
        let claims = try store.claim(limit: 4, leaseFor: .seconds(30), now: morning.addingTimeInterval(600))
        #expect(try store.queueSummary().counts == fullCount())
        #expect(try store.markForwarded(claims[0].record.id, reference: "C-1", now: morning))
        #expect(try store.markDead(claims[1].record.id, reason: "409", now: morning))
        #expect(try store.reschedule(claims[2].record.id, error: "503", retryAt: morning, now: morning))
        #expect(try store.retryDead("00000000-0000-0000-0000-000000000001", now: morning))
        _ = try store.releaseLeases(all: true)
        let summary = try store.queueSummary()
        #expect(summary.counts == (try fullCount()))
        #expect(summary.counts == [.queued: 5, .forwarded: 1, .dead: 1])
        #expect(summary.oldestPending == Date(timeIntervalSince1970: 0.001), "the old dead request, queued again, is the oldest")
    }
}

@Suite struct RetentionTests {
    @Test func personalDataIsPurgedAfterTheRetentionPeriodKeepingTheTrail() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let old = try store.submit(try fixture.request(name: "司马长风"), now: morning)
        let recent = try store.submit(try fixture.request(), now: morning)
        let unsent = try store.submit(try fixture.request(), now: morning)
        for claim in try store.claim(limit: 2, leaseFor: .seconds(30), now: morning) {
            let forwardedAt = claim.sealed.submissionId == old.id ? morning : morning.addingTimeInterval(20 * 86_400)
            #expect(try store.markForwarded(claim.record.id, reference: "C-\(claim.record.receiptSequence)",
                                            now: forwardedAt))
        }
        let sealedOld = try #require(try store.record(id: old.id)?.sealedPersonal)
        #expect(try fixture.rawFileBytes().range(of: sealedOld) != nil)

        let now = morning.addingTimeInterval(31 * 86_400)
        #expect(try store.purgePersonalData(acknowledgedMoreThan: 30, now: now) == 1)
        #expect(try store.purgePersonalData(acknowledgedMoreThan: 30, now: now) == 0)

        let purged = try #require(try store.record(id: old.id))
        #expect(purged.sealedPersonal == nil && purged.purgedAt != nil)
        #expect(purged.receiptNumber == old.receiptNumber.description && purged.state == .forwarded)
        #expect(try store.auditTrail(submissionID: purged.id).map(\.event) == ["forwarded", "purged"])
        #expect(throws: StoreError.self) { try store.sealedSubmission(id: old.id) }
        #expect(try store.sealedSubmission(id: recent.id) != nil)
        #expect(try store.sealedSubmission(id: unsent.id) != nil)
        #expect(try fixture.rawFileBytes().range(of: sealedOld) == nil, "purged ciphertext lingers in the files")
    }
}

/// Nothing personal is kept forever: a request the centre refused (dead) is
/// purged after the same retention period, counted from when it was set aside.
@Suite struct DeadRequestRetentionTests {
    @Test func aDeadRequestsPersonalDataIsErasedAfterTheRetentionPeriod() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let submission = try store.submit(try fixture.request(), now: morning)
        let claim = try #require(try store.claim(limit: 1, leaseFor: .seconds(30), now: morning).first)
        let refusedAt = morning.addingTimeInterval(3600)
        #expect(try store.markDead(claim.record.id, reason: "422: invalid", now: refusedAt))
        #expect(try store.purgePersonalData(acknowledgedMoreThan: 30, now: refusedAt.addingTimeInterval(29 * 86_400)) == 0)
        #expect(try store.purgePersonalData(acknowledgedMoreThan: 30, now: refusedAt.addingTimeInterval(30 * 86_400 + 1)) == 1)
        let dead = try #require(try store.records(in: .dead).first)
        #expect(dead.sealedPersonal == nil && dead.purgedAt != nil && dead.receiptNumber == submission.receiptNumber.description)
        #expect(try !store.retryDead(dead.id), "nothing left to send")
        #expect(throws: StoreError.self) { try store.sealedSubmission(id: submission.id) }
    }

    /// A database from before: its dead rows get `dead_at` from their audit
    /// entry, and are purged from then on.
    @Test func theMigrationDatesExistingDeadRequestsFromTheirAuditEntry() throws {
        let fixture = try StoreFixture()
        // The old schema, with one request set aside by the old code.
        try fixture.databaseAt("v1-queue-print-audit-status", holding: """
            INSERT INTO submissions (id, receipt_number, receipt_day, receipt_sequence, created_at, language,
                programme_id, service_id, hardship, priority, consent_version, consented_at, sealed_personal,
                state, attempts, next_attempt_at, dead_reason)
            VALUES ('00000000-0000-0000-0000-000000000001', 'JA0301-261101-0001-M', '261101', 1, 1, 'zh-Hans',
                'p', 's', 'green', 2, 'consent-v1', 1, x'00', 'dead', 1, 1, '409: conflict');
            INSERT INTO audit_log (at, actor, event, submission_id, detail)
            VALUES (1761955200000, 'forwarder', 'dead', '00000000-0000-0000-0000-000000000001', '409: conflict');
            """)
        let store = try fixture.open()
        let dead = try #require(try store.records(in: .dead).first)
        #expect(dead.deadAt == 1_761_955_200_000 && dead.deadReason == "409: conflict")
        #expect(try store.purgePersonalData(acknowledgedMoreThan: 30, now: Date(timeIntervalSince1970: 1_761_955_200 + 31 * 86_400)) == 1)
    }
}

extension StoreFixture {
    /// The fixture's database as an older version left it: migrated up to
    /// `migration`, with the rows `sql` inserts.
    func databaseAt(_ migration: String, holding sql: String) throws {
        let queue = try DatabaseQueue(path: databasePath)
        try Migrations.migrator.migrate(queue, upTo: migration)
        try queue.write { try $0.execute(sql: sql) }
    }
}
