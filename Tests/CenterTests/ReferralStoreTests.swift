import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskDomain
import Testing

/// Referrals in the store, on both engines: several per case, each move
/// with its history and access-log line, a partner's reach limited to its
/// own referrals and to what it needs, the case following its referrals.
@Suite struct ReferralStoreTests {
    let foundation = ReferralActor.partner(id: "charity-foundation")
    let women = ReferralActor.partner(id: "womens-federation")

    func referredCase(_ centre: CenterFixture, sequence: Int = 1) async throws -> String {
        try await centre.addStaff("li.adviser", .adviser)
        let reference = try await centre.receive(sequence: sequence, level: .red)
        try await centre.perform(.accept, on: reference)
        try await centre.perform(.recordContact(.reached), on: reference)
        let first = try await centre.perform(.refer(partner: "charity-foundation", kind: .material, note: "需要食品援助",
                                                    shareID: true), on: reference)
        #expect(first.referral == "\(reference)-1" && first.to == .referred)
        let second = try await centre.perform(.refer(partner: "womens-federation", kind: .psychological, note: "",
                                                     shareID: false), on: reference)
        #expect(second.referral == "\(reference)-2")
        return reference
    }

    @Test(arguments: CenterBackend.allCases) func aCaseReferredToTwoPartnersClosesOnceBothAreSettled(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let reference = try await referredCase(centre)
        let (food, talk) = ("\(reference)-1", "\(reference)-2")
        await #expect(throws: WorkflowError(reason: .alreadyReferred)) {
            try await centre.perform(.refer(partner: "charity-foundation", kind: .material, note: "", shareID: false), on: reference)
        }
        await #expect(throws: WorkflowError(reason: .partnerDoesNotHelp(.material))) {
            try await centre.perform(.refer(partner: "womens-federation", kind: .material, note: "", shareID: false), on: reference)
        }
        // The federation declines: back with the adviser at once, with the reason.
        try await centre.store.perform(.decline(.noCapacity, note: "本月名额已满"), onReferral: talk, by: "fu.staff", as: women)
        let returned = try await centre.store.returnedReferrals()
        #expect(returned.map(\.number) == [talk] && returned.first?.declineReason == .noCapacity)
        #expect(returned.first?.level == .red)

        await #expect(throws: WorkflowError(reason: .openReferrals(1))) {
            try await centre.perform(.close(.helped, note: "已处理"), on: reference)
        }
        try await centre.store.perform(.accept, onReferral: food, by: "cf.staff", as: foundation)
        try await centre.store.perform(.start, onReferral: food, by: "cf.staff", as: foundation)
        #expect(try await centre.store.caseDetail(reference, viewer: "test")?.state == .inService, "the case follows")
        let delivered = Delivery(kind: .material, what: "食品包两份", on: Date(), amountCents: 30_000)
        try await centre.store.perform(.complete(delivered), onReferral: food, by: "cf.staff", as: foundation)
        try await centre.perform(.close(.referredConfirmed, note: "基金会已送达食品包"), on: reference)
        #expect(try await centre.store.returnedReferrals().isEmpty, "a closed case's referrals are no one's to-do")

        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "li.adviser"))
        #expect(detail.state == .closed && detail.outcome == .referredConfirmed)
        let referrals = detail.referrals
        #expect(referrals.map(\.state) == [.completed, .declined])
        #expect(referrals[0].note == "需要食品援助" && referrals[0].delivery?.what == "食品包两份")
        #expect(referrals[0].delivery?.amountCents == 30_000 && referrals[0].answeredAt != nil)
        #expect(referrals[0].history.map(\.action) == ["referral_create", "referral_accept", "referral_start", "referral_complete"])
        #expect(referrals[1].declineNote == "本月名额已满" && referrals[1].history.last?.detail == "no_capacity")

        // The month's report: each partner's answers and what came of them; help delivered per programme.
        let report = try await centre.store.report(month: String(LocalMonth.now(centre.config.timeZone))).referrals
        let byPartner = Dictionary(uniqueKeysWithValues: report.partners.map { ($0.partner, $0) })
        let foundationLine = try #require(byPartner["charity-foundation"])
        #expect(foundationLine.referrals == 1 && foundationLine.accepted == 1 && foundationLine.completed == 1)
        #expect(foundationLine.delivered == [.material: 1] && foundationLine.answeredInTime == 1 && foundationLine.answerDue == 1)
        #expect(foundationLine.medianAnswerSeconds != nil && foundationLine.open == 0)
        #expect(byPartner["womens-federation"]?.declined == [.noCapacity: 1] && byPartner["womens-federation"]?.accepted == 0)
        #expect(report.helpDelivered.map { "\($0.programme) \($0.cases) \($0.delivered)" } == ["elderly-wellbeing 1 1"])

        // The access log names numbers and reason codes, never the words.
        let log = try await centre.store.auditEntries().map { "\($0.action) \($0.detail ?? "")" }
        #expect(log.contains("referral_decline \(talk) no_capacity"))
        let text = log.joined(separator: "\n")
        for secret in ["本月名额已满", "食品包", "需要食品援助", "欧阳明华"] { #expect(!text.contains(secret), "\(secret) in the log") }
    }

    @Test(arguments: CenterBackend.allCases) func aPartnerSeesOnlyItsReferralsAndOnlyWhatItNeeds(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let reference = try await referredCase(centre)
        let inbox = try await centre.store.partnerInbox(partner: "charity-foundation")
        #expect(inbox.map(\.number) == ["\(reference)-1"] && inbox.first?.level == .red)
        #expect(try await centre.store.partnerInbox(partner: "education").isEmpty)

        let view = try #require(try await centre.store.openReferral("\(reference)-1", viewer: "cf.staff",
                                                                    partner: "charity-foundation", idSharingConsents: []))
        #expect(view.name == "欧阳明华" && view.phone == "13912345678" && view.note == "需要食品援助")
        #expect(view.residentID == nil, "the adviser ticked sharing, but the consent does not cover partners")
        #expect(view.state == .received, "opening it marked it received")
        let covered = try await centre.store.openReferral("\(reference)-1", viewer: "cf.staff", partner: "charity-foundation",
                                                          idSharingConsents: ["consent-v1"])
        #expect(covered?.residentID == "11010519491231002X")
        let unshared = try await centre.store.openReferral("\(reference)-2", viewer: "fu.staff", partner: "womens-federation",
                                                           idSharingConsents: ["consent-v1"])
        #expect(unshared?.residentID == nil, "not shared by the adviser")

        // Another partner's referral is not there for it, to read or to answer.
        #expect(try await centre.store.openReferral("\(reference)-2", viewer: "cf.staff", partner: "charity-foundation",
                                                    idSharingConsents: []) == nil)
        await #expect(throws: WorkflowError(reason: .unknownReferral)) {
            try await centre.store.perform(.accept, onReferral: "\(reference)-2", by: "cf.staff", as: foundation)
        }
        let log = try await centre.store.auditEntries()
        #expect(log.filter { $0.action == "view_referral" }.count == 3)
        #expect(log.filter { $0.action == "referral_open" }.count == 2, "received once each")
        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(detail.referrals.map(\.state) == [.received, .received])
    }

    @Test(arguments: CenterBackend.allCases) func aReferralUnansweredByItsDeadlineComesBackAndTheSchemaKeepsTheOrder(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let reference = try await referredCase(centre)
        let later = Date().addingTimeInterval(10 * 86_400)
        #expect(try await centre.store.returnedReferrals().isEmpty)
        #expect(Set(try await centre.store.returnedReferrals(now: later).map(\.number)) == ["\(reference)-1", "\(reference)-2"])
        #expect(try await centre.store.returnedReferrals(street: "jingan-temple", now: later).isEmpty, "another street's")
        try await centre.store.perform(.accept, onReferral: "\(reference)-1", by: "cf.staff", as: foundation)
        #expect(try await centre.store.returnedReferrals(now: later).map(\.number) == ["\(reference)-2"])

        // Straight in SQL, a skipped step is refused by the schema itself.
        let database = centre.store.database
        await #expect(throws: (any Error).self) {
            try await database.write { db in
                try await db.execute("""
                    UPDATE referrals SET state = 'completed', delivered_kind = 'material', delivered_on = 0, closed_at = 0
                    WHERE number = ?
                    """, ["\(reference)-2"])
            }
        }
        await #expect(throws: (any Error).self) {
            try await database.write { db in
                try await db.execute("UPDATE referrals SET state = 'declined' WHERE number = ?", ["\(reference)-2"])
            }
        }
        // The adviser withdraws it; a cancelled referral takes nothing more.
        try await centre.store.perform(.cancel(.wrongPartner, note: "改为转介区妇联以外的心理服务"), onReferral: "\(reference)-2",
                                       by: "li.adviser", as: .caseworker(.adviser))
        await #expect(throws: WorkflowError(reason: .referralClosed(.cancelled))) {
            try await centre.store.perform(.accept, onReferral: "\(reference)-2", by: "fu.staff", as: women)
        }
        #expect(try await centre.store.returnedReferrals(now: later).isEmpty)
    }

    @Test(arguments: CenterBackend.allCases) func partnerAccountsNeedTheirOrganisationAndErasureTakesTheReferralsWords(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        try await centre.store.addStaff("cf.staff", role: .partner, password: CenterFixture.password,
                                        partner: "charity-foundation", actor: "test")
        await #expect(throws: CenterError.self) {
            try await centre.store.addStaff("nobody.partner", role: .partner, password: CenterFixture.password, actor: "test")
        }
        await #expect(throws: CenterError.self) {
            try await centre.store.addStaff("li.partner", role: .adviser, password: CenterFixture.password,
                                            partner: "education", actor: "test")
        }
        #expect(try await centre.store.staff().first { $0.username == "cf.staff" }?.partner == "charity-foundation")

        let reference = try await referredCase(centre)
        try await centre.store.perform(.decline(.notEligible, note: "户籍不在本市"), onReferral: "\(reference)-1",
                                       by: "cf.staff", as: foundation)
        try await centre.store.perform(.cancel(.helpedElsewhere, note: "已获临时救助"), onReferral: "\(reference)-2",
                                       by: "li.adviser", as: .caseworker(.adviser))
        try await centre.perform(.close(.helped, note: "街道临时救助"), on: reference, now: Date().addingTimeInterval(-400 * 86_400))
        #expect(try await centre.store.eraseClosedCases(closedBefore: Date().addingTimeInterval(-365 * 86_400), actor: "test") == 1)
        let detail = try #require(try await centre.store.caseDetail(reference, viewer: "test"))
        #expect(detail.referrals.allSatisfy { $0.note == nil && $0.declineNote == nil })
        #expect(detail.referrals.map(\.declineReason) == [.notEligible, nil], "the reason codes stay for reports")
        let sealed: Int = try await centre.store.database.read { db in
            try await db.fetchValue("SELECT COUNT(*) FROM referral_events WHERE sealed_note IS NOT NULL") ?? -1
        }
        #expect(sealed == 0)
    }

    @Test(arguments: CenterBackend.allCases) func aPartnersSystemReadsItsFeedByCursorAndEachAnswerCountsOnce(_ backend: CenterBackend) async throws {
        let centre = try await CenterFixture(backend)
        let reference = try await referredCase(centre)
        let food = "\(reference)-1"
        let first = try await centre.store.partnerFeed(partner: "charity-foundation", after: 0, limit: 10, idSharingConsents: [],
                                                       viewer: "partner-api:charity-foundation")
        #expect(first.referrals.map(\.number) == [food] && !first.more && first.cursor > 0)
        #expect(first.referrals.first?.residentID == nil && first.referrals.first?.name == "欧阳明华")
        #expect(try await centre.store.partnerFeed(partner: "charity-foundation", after: first.cursor, limit: 10,
                                                   idSharingConsents: [], viewer: "api").referrals.isEmpty, "nothing new")

        let digest = String(repeating: "a", count: 64), other = String(repeating: "b", count: 64)
        let once = try await centre.store.answerReferral(.accept, number: food, partner: "charity-foundation",
                                                         answerID: "answer-0001", bodyDigest: digest, actor: "api")
        #expect(once == .applied(.accepted))
        let again = try await centre.store.answerReferral(.accept, number: food, partner: "charity-foundation",
                                                          answerID: "answer-0001", bodyDigest: digest, actor: "api")
        #expect(again == .repeated(.accepted))
        let reused = try await centre.store.answerReferral(.start, number: food, partner: "charity-foundation",
                                                           answerID: "answer-0001", bodyDigest: other, actor: "api")
        #expect(reused == .conflict)
        await #expect(throws: WorkflowError(reason: .unknownReferral)) {
            try await centre.store.answerReferral(.accept, number: "\(reference)-2", partner: "charity-foundation",
                                                  answerID: "answer-0002", bodyDigest: digest, actor: "api")
        }
        // A refused answer leaves its id unused.
        await #expect(throws: WorkflowError(reason: .referralNotAllowed(.accepted))) {
            try await centre.store.answerReferral(.accept, number: food, partner: "charity-foundation",
                                                  answerID: "answer-0003", bodyDigest: digest, actor: "api")
        }
        #expect(try await centre.store.answerReferral(.start, number: food, partner: "charity-foundation",
                                                      answerID: "answer-0003", bodyDigest: other, actor: "api") == .applied(.inProgress))
        let next = try await centre.store.partnerFeed(partner: "charity-foundation", after: first.cursor, limit: 10,
                                                      idSharingConsents: [], viewer: "api")
        #expect(next.referrals.map(\.state) == [.inProgress] && next.cursor > first.cursor)
        let history = try #require(try await centre.store.caseDetail(reference, viewer: "test")?.referrals.first?.history)
        #expect(history.map(\.action) == ["referral_create", "referral_accept", "referral_start"])

        let secret = try await centre.store.rotatePartnerSecret("charity-foundation")
        #expect(try await centre.store.partnerSecret(of: "charity-foundation") == [UInt8](hex: secret))
        let rotated = try await centre.store.rotatePartnerSecret("charity-foundation")
        #expect(try await centre.store.partnerSecret(of: "charity-foundation") == [UInt8](hex: rotated) && rotated != secret)
        try await centre.store.revokePartnerSecret("charity-foundation")
        #expect(try await centre.store.partnerSecret(of: "charity-foundation") == nil)
    }
}
