import CentreDistrictMove
import CentreMessages
import CentrePostgres
import CentreStore
import CentreTestSupport
import Foundation
import Glibc
import IntakeProtocol
import KioskDomain
import KioskStore
import StorageSupport
import TestSupport
import Testing
#if canImport(Glibc)
#endif

/// `kiosk-center migrate-to-postgres`: a street centre's data moves into the
/// district's PostgreSQL, sealed again with the district's key, nothing lost
/// when the move is cut short, nothing doubled when it is run again.
@Suite(.serialized) struct DistrictMoveTests {
    /// A street centre's database with `count` requests from `kiosk`: the
    /// first accepted, assigned, contacted and closed with a note, the second
    /// closed as a duplicate of the first; an adviser; their access-log lines.
    static func streetCentre(_ count: Int, kiosk: String = "JA0301", adviser: String = "li.adviser") async throws
        -> (CenterFixture, [String]) {
        let centre = try await CenterFixture(.sqlite, texts: true)
        if kiosk != "JA0301" { _ = try await centre.store.addKiosk(kiosk) }
        var references: [String] = []
        for start in stride(from: 1, through: count, by: 100) {
            // The third resident said yes to text messages: theirs move too.
            let batch = (start..<min(start + 100, count + 1)).map { sample(sequence: $0, kiosk: kiosk, texts: $0 == 3).0 }
            for outcome in try await centre.store.acceptAll(batch) {
                guard case let .created(reference) = try outcome.get() else { throw CenterError(description: "not created") }
                references.append(reference)
            }
        }
        try await centre.addStaff(adviser, .adviser)
        try await centre.perform(.accept, on: references[0], by: adviser)
        try await centre.perform(.assign(to: adviser), on: references[0], by: adviser)
        try await centre.perform(.recordContact(.reached), on: references[0], by: adviser)
        try await centre.perform(.close(.helped, note: "送餐服务已安排"), on: references[0], by: adviser)
        try await centre.perform(.markDuplicate(of: references[0]), on: references[1], by: adviser)
        // A referral the partner declined, with its words sealed: it moves with its case.
        try await centre.perform(.accept, on: references[2], by: adviser)
        try await centre.perform(.refer(partner: "charity-foundation", kind: .material, note: "需要食品", shareID: false),
                                 on: references[2], by: adviser)
        try await centre.store.perform(.decline(.noCapacity, note: "本月名额已满"), onReferral: "\(references[2])-1",
                                       by: "cf.staff", as: .partner(id: "charity-foundation"))
        // A plan item that is the referral's: it follows the referral's new id.
        try await centre.store.addPlanItem(PlanItemInput(kind: .material, what: "每月食品包", owner: .referral("\(references[2])-1"),
                                                         dueOn: Date().addingTimeInterval(86_400)),
                                           on: references[2], by: adviser, role: .adviser)
        _ = try await centre.store.caseDetail(references[0], viewer: adviser)
        try await centre.store.setKioskPlace(kiosk, place: "武定路社区中心 一楼")
        let beat = heartbeat(kiosk, at: Date(), interval: 3600, printer: "paper-out", reasons: ["media-empty-error"])
        try await centre.store.recordHeartbeat(beat, body: try beat.encoded(), signature: "v1=move-\(kiosk)")
        return (centre, references)
    }

    /// An empty district database of the test cluster, with a seal key of its own.
    static func districtStore() async throws -> CenterStore {
        let lab = try PostgresLab.get()
        return try await CenterStore(
            database: try await PostgresCenterDatabase(try CenterBackend.settings(try lab.makeDatabase("district")),
                                                 password: try lab.password),
            sealKey: Array(repeating: 9, count: 32))
    }

    @Test func aMoveCutShortAndRunAgainHoldsEveryRequestOnceAndAgrees() async throws {
        let (street, references) = try await Self.streetCentre(1200)
        let lab = try PostgresLab.get()
        let url = try lab.makeDatabase("district")
        let folder = try temporaryFolder("district-move")
        // The street centre's key, and the district's own: every sealed item is sealed again.
        let streetKeys = CredentialStore(directory: folder.appendingPathComponent("street-credentials"))
        try streetKeys.write(street.sealKey, named: "center-seal.key")
        let districtKeys = CredentialStore(directory: folder.appendingPathComponent("district-credentials"))
        _ = try districtKeys.createKeyIfMissing(named: "center-seal.key")
        try writeSecret(try lab.password + "\n", to: districtKeys.url(for: "center-database.password"))
        let command = [product("kiosk-center"), "migrate-to-postgres",
                       "--from", street.folder.appendingPathComponent("center.sqlite").path, "--to", url,
                       "--from-credentials", streetKeys.directory.path, "--street", "nanjing-west", "--batch-size", "10"]
            + CenterProcess.arguments(folder.appendingPathComponent("state"))
            + ["--credentials", districtKeys.directory.path]

        let district = try await CenterStore(database: try await PostgresCenterDatabase(try CenterBackend.settings(url), password: try lab.password),
                                       sealKey: try districtKeys.key(named: "center-seal.key"))
        defer { district.close() }
        // Cut short: killed as soon as the first batches are in.
        let first = try Subprocess(command, output: folder.appendingPathComponent("first.log"))
        var held = 0
        let deadline = Date().addingTimeInterval(60)
        while held == 0, Date() < deadline {
            held = (try? await district.submissionCounts().total) ?? 0
            if held == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        first.signal(SIGKILL)
        first.wait()
        let cutAt = try await district.submissionCounts().total
        #expect(cutAt > 0 && cutAt < 1200, "killed after \(cutAt) of 1200")

        let second = try runToEnd(command)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("already there") && second.stdout.contains("counts and digests agree"), "\(second.stdout)")
        let third = try runToEnd(command)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("0 moved now, 1200 already there"), "\(third.stdout)")
        #expect(third.stdout.contains("access log: 0 lines copied now") && third.stdout.contains("counts and digests agree"))

        let counts = try await district.submissionCounts()
        #expect(counts.total == 1200 && counts.distinctIDs == 1200 && counts.distinctReceipts == 1200)
        let check = try await street.store.compare(with: district, source: street.folder.appendingPathComponent("center.sqlite").path)
        #expect(check.agrees, "\(check)")
        // Opened with the district's key: the resident's data and the closing note.
        let closed = try #require(try await district.caseDetail(references[0], viewer: "test"))
        #expect(closed.submission?.applicant.name == "欧阳明华" && closed.timeline.last?.note == "送餐服务已安排")
        #expect(try await district.caseDetail(references[1], viewer: "test")?.duplicateOf == references[0])
        let referred = try #require(try await district.caseDetail(references[2], viewer: "test")?.referrals.first)
        #expect(referred.number == "\(references[2])-1" && referred.state == .declined)
        #expect(referred.note == "需要食品" && referred.declineNote == "本月名额已满", "resealed with the district's key")
        #expect(referred.history.map(\.action) == ["referral_create", "referral_decline"])
        let texted = try #require(try await district.caseDetail(references[2], viewer: "test"))
        #expect(texted.textsAllowed && texted.messages.map(\.kind) == [.received, .referred], "\(texted.messages)")
        #expect(texted.messages.map(\.state) == [.superseded, .queued], "the district sends what was still queued")
        let plan = try #require(try await district.caseDetail(references[2], viewer: "test")?.plan)
        #expect(plan.map(\.what) == ["每月食品包"] && plan.first?.owner == .referral("\(references[2])-1"))
        #expect(plan.first?.referralState == .declined)
        #expect(try await district.staff().first { $0.username == "li.adviser" }?.street == "nanjing-west")
        #expect(try await district.kiosks().map(\.street) == ["nanjing-west"])
        let moved = try #require(try await district.fleetKiosk("JA0301"))
        #expect(moved.place == "武定路社区中心 一楼" && moved.health == .degraded && moved.problems == [.paperOut],
                "the fleet page knows the kiosk after the move")
        var west = InboxFilter()
        west.kioskStreet = "nanjing-west"
        #expect(try await district.inbox(west, pageSize: 10).matching == 1198, "the open cases are the street's")
        // New requests at the district number on after the moved ones.
        let (next, _) = sample(sequence: 5000)
        #expect(try await district.accept(next) == .created("C00001201"))
    }

    /// A street centre's accounts have no street: moved as they are they
    /// would see the whole district. And a name the district already gives
    /// to someone else is refused, naming both accounts. Nothing is written.
    @Test func aMoveWithoutAStreetOrWithAClashingNameIsRefusedBeforeAnythingMoves() async throws {
        let (west, _) = try await Self.streetCentre(3)
        let (temple, _) = try await Self.streetCentre(3, kiosk: "JA0302")
        let district = try await Self.districtStore()
        defer { district.close() }
        let streetless = await #expect(throws: CenterError.self) { try await west.store.move(into: district, source: "west", street: nil) }
        #expect("\(streetless.map { "\($0)" } ?? "")".contains("kiosks JA0301 and staff li.adviser have no street"),
                "\(String(describing: streetless))")
        let staffMoved = try await district.staff()
        #expect(try await district.submissionCounts().total == 0 && staffMoved.isEmpty, "nothing moved")

        _ = try await west.store.move(into: district, source: "west", street: "nanjing-west")
        // Run again: the accounts it moved are its own, not a clash.
        _ = try await west.store.move(into: district, source: "west", street: "nanjing-west")
        let clash = await #expect(throws: CenterError.self) { try await temple.store.move(into: district, source: "temple", street: "jingan-temple") }
        #expect("\(clash.map { "\($0)" } ?? "")".contains(
            "staff account 'li.adviser' exists at the district (adviser of street nanjing-west) and at this centre (adviser of street jingan-temple)"),
                "\(String(describing: clash))")
        #expect(try await district.submissionCounts().total == 3, "nothing of the second street moved")
    }

    @Test func aSecondStreetsReferencesAreRenumberedWhereTheDistrictHasThemAndItsRecordsFollow() async throws {
        let (west, _) = try await Self.streetCentre(5)
        let (temple, templeReferences) = try await Self.streetCentre(5, kiosk: "JA0302", adviser: "chen.temple")
        let district = try await Self.districtStore()
        defer { district.close() }
        let first = try await west.store.move(into: district, source: "west", street: "nanjing-west")
        #expect(first.moved == 5 && first.renumbered == 0)
        let second = try await temple.store.move(into: district, source: "temple", street: "jingan-temple")
        #expect(second.moved == 5 && second.renumbered == 5 && second.kiosksAdded == 1 && second.kiosksKept == 1)
        #expect(second.staffAdded == 1 && second.staffKept == 0)
        #expect(try await west.store.compare(with: district, source: "west").agrees)
        #expect(try await temple.store.compare(with: district, source: "temple").agrees)
        #expect(try await district.submissionCounts().total == 10)

        // The temple street's first case under its new reference, its duplicate pointing at it.
        let original = try #require(try await district.caseReference(receipt: ReceiptNumber(kioskCode: "JA0302", day: "261129", sequence: 1)))
        #expect(original != templeReferences[0])
        let duplicate = try #require(try await district.caseReference(receipt: ReceiptNumber(kioskCode: "JA0302", day: "261129", sequence: 2)))
        #expect(try await district.caseDetail(duplicate, viewer: "test")?.duplicateOf == original)
        #expect(try await district.auditEntries().contains { $0.caseReference == original && $0.action == "close" })
        #expect(try await district.handling(ofCase: original)?.kioskStreet == "jingan-temple")
    }
}
