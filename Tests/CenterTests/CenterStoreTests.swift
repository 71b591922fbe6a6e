import CentreConfig
import CentrePostgres
import CentreSQLite
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain
import Testing


/// The case store on a real SQLite file and on PostgreSQL: ordering, the schema's state
/// machine, the timeline and the access log, staff sign-in, retention.
@Suite struct CenterStoreTests {
    @Test(arguments: CenterBackend.allCases) func theInboxShowsRedFirstThenYellowThenGreenEachOldestFirst(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let start = Date().addingTimeInterval(-3600)
        let green = try await centre.receive(sequence: 1, level: .green, createdAt: start)
        let yellowLate = try await centre.receive(sequence: 2, level: .yellow, createdAt: start.addingTimeInterval(60))
        let redLate = try await centre.receive(sequence: 3, level: .red, createdAt: start.addingTimeInterval(120))
        let yellowEarly = try await centre.receive(sequence: 4, level: .yellow, createdAt: start.addingTimeInterval(-60))
        let redEarly = try await centre.receive(sequence: 5, level: .red, createdAt: start.addingTimeInterval(30))
        let page = try await centre.store.inbox(InboxFilter(), pageSize: 50)
        #expect(page.rows.map(\.reference) == [redEarly, redLate, yellowEarly, yellowLate, green])
        #expect(page.openByLevel == [.red: 2, .yellow: 2, .green: 1])
        #expect(page.rows.first?.reasons == ["emergency food=none-today"])

        var filter = InboxFilter()
        filter.level = .yellow
        #expect(try await centre.store.inbox(filter, pageSize: 50).rows.map(\.reference) == [yellowEarly, yellowLate])
        filter = InboxFilter()
        filter.street = "caojiadu"
        #expect(try await centre.store.inbox(filter, pageSize: 50).rows.isEmpty)
    }

    @Test(arguments: CenterBackend.allCases) func aRedCaseNotContactedWithinFourHoursIsOverdue(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let received = Date().addingTimeInterval(-5 * 3600)
        let late = try await centre.receive(sequence: 1, level: .red, createdAt: received, receivedAt: received)
        try await centre.receive(sequence: 2, level: .red)
        let page = try await centre.store.inbox(InboxFilter(), pageSize: 50)
        #expect(page.overdue == 1)
        #expect(page.rows.first { $0.reference == late }?.isOverdue(at: Date()) == true)
        var filter = InboxFilter()
        filter.overdueOnly = true
        #expect(try await centre.store.inbox(filter, pageSize: 50).rows.map(\.reference) == [late])
    }

    @Test(arguments: CenterBackend.allCases) func eachActionWritesItsTimelineLineAndItsAccessLogLine(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.addStaff("li.adviser", .adviser)
        let reference = try await centre.receive(sequence: 1)
        try await centre.perform(.accept, on: reference)
        try await centre.perform(.assign(to: "li.adviser"), on: reference)
        try await centre.perform(.recordContact(.noAnswer), on: reference)
        try await centre.perform(.recordContact(.reached), on: reference)
        try await centre.perform(.refer(partner: "charity-foundation", kind: .material, note: "", shareID: false), on: reference)
        let partner = ReferralActor.partner(id: "charity-foundation")
        try await centre.store.perform(.accept, onReferral: "\(reference)-1", by: "cf.staff", as: partner)
        try await centre.store.perform(.complete(Delivery(kind: .material, what: "临时救助金", on: Date(), amountCents: 50_000)),
                                       onReferral: "\(reference)-1", by: "cf.staff", as: partner)
        try await centre.perform(.close(.referredConfirmed, note: "基金会已确认资助"), on: reference)
        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "li.adviser"))
        #expect(detail.state == .closed && detail.outcome == .referredConfirmed && detail.partner == "charity-foundation")
        #expect(detail.firstContactAt != nil && detail.unansweredAttempts == 1)
        #expect(detail.timeline.map(\.action) == ["received", "accept", "assign", "contact", "contact", "refer",
                                                  "referral", "start_service", "referral", "close"])
        #expect(detail.timeline.map(\.to) == [.new, .accepted, .assigned, .assigned, .contacted, .referred, .referred,
                                              .inService, .inService, .closed],
                "the partner's answers are on the timeline, and its completion put the case in service")
        #expect(detail.timeline.last?.note == "基金会已确认资助")
        #expect(detail.submission?.applicant.name == "欧阳明华")
        let audit = try await centre.store.auditEntries().map(\.action)
        #expect(Array(audit.prefix(8)) == ["view_case", "close", "referral_complete", "referral_accept", "refer", "contact",
                                           "contact", "assign"])
        let log = try await centre.store.auditEntries().map { "\($0.actor) \($0.action) \($0.detail ?? "")" }.joined()
        #expect(!log.contains("欧阳明华") && !log.contains("13912345678") && !log.contains("基金会已确认"))
    }

    @Test(arguments: CenterBackend.allCases) func theSchemaRefusesAnIllegalMoveAndAnyChangeToTheAccessLog(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let reference = try await centre.receive(sequence: 1)
        let database = centre.store.database
        // Every pair of states: the trigger refuses exactly what the rules call illegal.
        for from in CaseState.allCases {
            for to in CaseState.allCases where from != to {
                let allowed = try await Self.triggerAllows(from: from, to: to, in: database)
                #expect(allowed == CaseState.isLegal(from: from, to: to), "\(from) → \(to)")
            }
        }
        // A closed case must carry its outcome.
        await #expect(throws: (any Error).self) {
            try await database.write { try await $0.execute("UPDATE cases SET state = 'closed' WHERE seq = 1") }
        }
        _ = try await centre.store.caseDetail(reference, viewer: "li")
        await #expect(throws: (any Error).self) { try await database.write { try await $0.execute("DELETE FROM audit_log") } }
        await #expect(throws: (any Error).self) {
            try await database.write { try await $0.execute("UPDATE audit_log SET actor = 'someone else'") }
        }
        if database.dialect == .postgres {
            await #expect(throws: (any Error).self) { try await database.write { try await $0.execute("TRUNCATE audit_log") } }
        }
        #expect(try await centre.store.auditEntries().first?.action == "view_case")
    }

    /// Whether the state-machine trigger lets case 1 move `from` → `to`: a
    /// row already in `from` (inserted: the trigger guards updates) with the
    /// CHECKs off, so only the trigger decides; everything is undone.
    static func triggerAllows(from: CaseState, to: CaseState, in database: any CenterDatabase) async throws -> Bool {
        struct Undo: Error { var allowed: Bool }
        return try await database.write { db in
            if db.dialect == .sqlite { try await db.execute("PRAGMA ignore_check_constraints = ON") }
            var allowed = false
            do {
                try await db.inSavepoint {
                    if db.dialect == .postgres {
                        // Dropped inside the savepoint: PostgreSQL's DDL is undone with it.
                        try await db.execute("""
                            DO $$ DECLARE c record; BEGIN
                                FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'cases'::regclass AND contype = 'c' LOOP
                                    EXECUTE 'ALTER TABLE cases DROP CONSTRAINT ' || quote_ident(c.conname);
                                END LOOP;
                            END $$
                            """)
                    }
                    try await db.execute("DELETE FROM case_events WHERE seq = 1")
                    try await db.execute("DELETE FROM cases WHERE seq = 1")
                    try await db.execute("""
                        INSERT INTO cases (seq, priority, street, created_at, received_at, due_at, state, updated_at)
                        VALUES (1, 1, 'x', 0, 0, 0, ?, 0)
                        """, [from.rawValue])
                    var allowed = false
                    do {
                        try await db.inSavepoint { try await db.execute("UPDATE cases SET state = ? WHERE seq = 1", [to.rawValue]) }
                        allowed = true
                    } catch {}
                    throw Undo(allowed: allowed)
                }
            } catch let undo as Undo {
                allowed = undo.allowed
            }
            if db.dialect == .sqlite { try await db.execute("PRAGMA ignore_check_constraints = OFF") }
            return allowed
        }
    }

    @Test(arguments: CenterBackend.allCases) func wrongPasswordsLockAnAccountAndANewPasswordLiftsTheLock(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.addStaff("li.adviser", .adviser)
        try await centre.addStaff("zhou.adviser", .adviser)
        try await centre.store.disableStaff("zhou.adviser", actor: "test")
        let settings = ConsoleSettings(sessionIdle: .seconds(900), lockoutAfterFailures: 3, lockout: .seconds(600),
                                       secureCookies: false, pageSize: 50)
        // Every wrong password gets the same words, the third (which locks) too: nothing tells a guesser the state.
        for _ in 0..<4 {
            #expect(try await centre.store.signIn("li.adviser", password: "wrong password!", settings: settings) == .wrongPassword)
        }
        #expect(try await centre.store.signIn("zhou.adviser", password: "wrong password!", settings: settings) == .wrongPassword,
                "a disabled account's wrong password is just wrong")
        #expect(try await centre.store.signIn("zhou.adviser", password: CenterFixture.password, settings: settings) == .disabled)
        guard case .locked = try await centre.store.signIn("li.adviser", password: CenterFixture.password, settings: settings) else {
            Issue.record("the right password from where the wrong ones came must not open a locked account")
            return
        }
        // The right password from an address that typed no wrong one passes the lock: a stranger cannot lock staff out.
        guard case .success = try await centre.store.signIn("li.adviser", password: CenterFixture.password, settings: settings,
                                                            fromAddressWithFailures: false) else {
            Issue.record("the right password from an address without failures signs in")
            return
        }
        for _ in 0..<3 { _ = try await centre.store.signIn("li.adviser", password: "wrong password!", settings: settings) }
        try await centre.store.setPassword("li.adviser", password: "a brand new password", actor: "test")
        guard case let .success(token, session) = try await centre.store.signIn("li.adviser", password: "a brand new password",
                                                                                  settings: settings) else {
            Issue.record("a new password lifts the lock")
            return
        }
        #expect(session.role == StaffRole.adviser && session.csrf.count >= 32)
        #expect(try await centre.store.session(token: token, idle: .seconds(900))?.username == "li.adviser")
        // Kept busy every 10 minutes, a session still ends 12 hours after sign-in.
        var busy = Date()
        while busy < Date().addingTimeInterval(11.5 * 3600) {
            busy.addTimeInterval(600)
            #expect(try await centre.store.session(token: token, idle: .seconds(900), now: busy) != nil)
        }
        #expect(try await centre.store.session(token: token, idle: .seconds(900), now: Date().addingTimeInterval(12 * 3600 + 60)) == nil,
                "no session outlives 12 hours")
        guard case let .success(token, _) = try await centre.store.signIn("li.adviser", password: "a brand new password",
                                                                           settings: settings) else {
            Issue.record("signs in again"); return
        }
        #expect(try await centre.store.session(token: token, idle: .seconds(900), now: Date().addingTimeInterval(901)) == nil,
                "an idle session ends")
        await #expect(throws: CenterError.self) { try await centre.store.addStaff("wang", role: .adviser, password: "short", actor: "t") }
        #expect(try await centre.store.signIn("nobody", password: "whatever it is", settings: settings) == .wrongPassword)
    }

    @Test(arguments: CenterBackend.allCases) func retentionErasesClosedCasesPersonalDataAndKeepsTheCounts(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let old = try await centre.receive(sequence: 1, level: .red, name: "独居老人甲")
        let open = try await centre.receive(sequence: 2, level: .green)
        let closedAt = Date().addingTimeInterval(-400 * 86400)
        try await centre.perform(.accept, on: old, now: closedAt)
        try await centre.perform(.close(.helped, note: "送餐已安排"), on: old, now: closedAt)
        let erased = try await centre.store.eraseClosedCases(closedBefore: Date().addingTimeInterval(-365 * 86400), actor: "test")
        #expect(erased == 1)
        let detail = try #require(try await centre.store.caseDetail(old, viewer: "auditor"))
        #expect(detail.submission == nil && detail.reasons.isEmpty && detail.timeline.allSatisfy { $0.note == nil })
        #expect(try await centre.store.caseDetail(open, viewer: "auditor")?.submission != nil)
        let month = String(LocalMonth.now(centre.config.timeZone))
        let report = try await centre.store.report(month: month)
        #expect(report.total == 2 && report.outcomes == [MonthReport.Count(key: "helped", count: 1)])
        for file in ["center.sqlite", "center.sqlite-wal"] where backend == .sqlite {
            let bytes = (try? Data(contentsOf: centre.folder.appendingPathComponent(file))) ?? Data()
            #expect(bytes.range(of: Data("独居老人甲".utf8)) == nil)
        }
    }

    @Test(arguments: CenterBackend.allCases) func aRequestFromAnEarlierVersionGetsItsCaseAtStart(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let reference = try await centre.receive(sequence: 1, street: "jingan-temple")
        try await centre.store.database.write { db in
            try await db.execute("DELETE FROM case_events")
            try await db.execute("DELETE FROM cases")
        }
        let reopened = try await CenterStore(database: centre.store.database, sealKey: centre.sealKey)
        let detail = try #require(try await reopened.caseDetail(reference, viewer: "li"))
        #expect(detail.street == "jingan-temple" && detail.state == .new && detail.timeline.count == 1)
    }
}

/// The current month as the report names it.
enum LocalMonth {
    static func now(_ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return String(format: "%04d-%02d", parts.year!, parts.month!)
    }
}

/// A district: kiosks stand in streets, each case is its kiosk's street
/// centre's, a street's staff see only those, a district supervisor all.
@Suite struct StreetTests {
    @Test(arguments: CenterBackend.allCases) func aStreetsStaffSeeOnlyItsKiosksCasesAndTheDistrictSeesAll(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.store.setKioskStreet("JA0301", street: "nanjing-west")
        _ = try await centre.store.addKiosk("JA0302", street: "jingan-temple")
        var references: [String: String] = [:]
        for (sequence, kiosk) in [(1, "JA0301"), (2, "JA0302")] {
            // The resident's own street does not decide: the kiosk's does.
            let (submission, _) = sample(sequence: sequence, street: "caojiadu", kiosk: kiosk)
            guard case let .created(reference) = try await centre.store.accept(submission) else { throw CenterError(description: "not created") }
            references[kiosk] = reference
        }
        try await centre.store.addStaff("li.west", role: .adviser, password: CenterFixture.password, street: "nanjing-west", actor: "t")
        try await centre.store.addStaff("district", role: .supervisor, password: CenterFixture.password, actor: "t")
        #expect(try await centre.store.staff().first { $0.username == "li.west" }?.street == "nanjing-west")

        var west = InboxFilter()
        west.kioskStreet = "nanjing-west"
        let page = try await centre.store.inbox(west, pageSize: 50)
        #expect(page.rows.map(\.reference) == [references["JA0301"]!])
        #expect(page.openByLevel.values.reduce(0, +) == 1, "the counts are the street's too")
        #expect(try await centre.store.inbox(InboxFilter(), pageSize: 50).rows.count == 2, "the district sees both")

        let other = references["JA0302"]!
        #expect(try await centre.store.caseDetail(other, viewer: "li.west", street: "nanjing-west") == nil)
        #expect(try await centre.store.handling(ofCase: other)?.kioskStreet == "jingan-temple")
        await #expect(throws: WorkflowError.self) {
            try await centre.store.perform(.accept, on: other, by: "li.west", role: .adviser, rules: centre.config.cases,
                                     partner: centre.config.partner, street: "nanjing-west")
        }
        #expect(try await centre.store.caseDetail(other, viewer: "district")?.state == .new, "nothing was done to it")

        let month = String(LocalMonth.now(centre.config.timeZone))
        #expect(try await centre.store.report(month: month, street: "nanjing-west").total == 1)
        #expect(try await centre.store.report(month: month, street: "jingan-temple").total == 1)
        #expect(try await centre.store.report(month: month).total == 2)
        #expect(try await centre.store.kiosks().map(\.street) == ["nanjing-west", "jingan-temple"])
    }
}

/// Heartbeats carry no personal data but pile up: the centre keeps
/// `retention.keep_heartbeats_days` of them (30 unless set).
@Suite struct HeartbeatRetentionTests {
    @Test(arguments: CenterBackend.allCases) func heartbeatsOlderThanTheRetentionGoAndTheLatestStaysOnTheKiosk(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        #expect(centre.config.retention.keepHeartbeatsDays == 30)
        let now = Date()
        for (index, age) in [40.0, 31, 2].enumerated() {
            let at = now.addingTimeInterval(-age * 86_400)
            let heartbeat = KioskHeartbeat(kioskCode: "JA0301", sentAt: at, version: "t", queueDepth: index,
                                           oldestPendingSeconds: nil, deadCount: 0, printerState: "ready",
                                           lastScreenRender: nil)
            #expect(try await centre.store.recordHeartbeat(heartbeat, body: try heartbeat.encoded(),
                                                           signature: "v1=\(index)", now: at))
        }
        let cutoff = now.addingTimeInterval(-Double(centre.config.retention.keepHeartbeatsDays) * 86_400)
        #expect(try await centre.store.deleteHeartbeats(receivedBefore: cutoff) == 2)
        #expect(try await centre.store.heartbeatCount(kiosk: "JA0301") == 1)
    }
}

/// The two engines' schemas are kept in step: the same migrations by name,
/// the same tables with the same columns (PostgreSQL adds one, `written_by`,
/// to case_events and referral_events, for reading them in commit order).
@Suite struct SchemaParityTests {
    @Test func bothEnginesHaveTheSameTablesColumnsAndLatestMigration() async throws {
        let sqlite = try await CenterFixture(.sqlite), postgres = try await CenterFixture(.postgres)
        func columns(_ store: CenterStore) async throws -> [String: Set<String>] {
            try await store.database.read { db in
                var tables: [String: Set<String>] = [:]
                let rows = db.dialect == .sqlite
                    ? try await db.fetchAll("""
                        SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m, pragma_table_info(m.name) p
                        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'grdb_migrations'
                        """)
                    : try await db.fetchAll("""
                        SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
                        WHERE table_schema = 'public' AND table_name != 'centre_migrations'
                        """)
                for row in rows { tables[row["table_name"], default: []].insert(row["column_name"]) }
                return tables
            }
        }
        var expected = try await columns(sqlite.store)
        expected["case_events"]?.insert("written_by")
        expected["referral_events"]?.insert("written_by")
        #expect(try await columns(postgres.store) == expected)
        #expect(PostgresMigrations.names.last == CenterMigrations.migrator.migrations.last)
        #expect(Set(PostgresMigrations.tables) == Set(expected.keys))
    }
}
