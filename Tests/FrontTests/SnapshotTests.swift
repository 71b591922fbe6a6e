import Foundation
import IntakeProtocol
import KioskDomain
import KioskStore
import TestSupport
import Testing
@testable import KioskFront

/// Text snapshots of every screen, both languages, at 80×24 and 120×40.
/// Stored in `Snapshots/`; after a deliberate change to a screen, run the
/// tests once with KIOSK_RECORD_SNAPSHOTS=1 and review the diff.
@Suite struct SnapshotTests {
    static let folder = repositoryRoot.appendingPathComponent("Tests/FrontTests/Snapshots")
    static let recording = ProcessInfo.processInfo.environment["KIOSK_RECORD_SNAPSHOTS"] == "1"

    /// Each screen, reached through the flow as a resident would reach it.
    static let screens: [(String, @Sendable (inout FlowDriver) -> Void)] = [
        ("01-welcome", { _ in }),
        ("02-programme", { $0.keys(.enter) }),
        ("03-service", { $0.keys(.enter, .character("3")) }),
        ("04-question", { $0.keys(.enter, .character("3"), .character("1"), .down) }),
        ("05-emergency", { $0.keys(.enter, .character("3"), .character("1"), .character("4")) }),
        ("06-name-error", { $0.toContact(); $0.keys(.enter) }),
        ("07-phone-letters", { $0.toContact(); $0.type("王小明"); $0.keys(.enter); $0.type("138x") }),
        ("07b-text-messages", { $0.toContact(); $0.type("王小明"); $0.keys(.enter); $0.type("13800138000"); $0.keys(.enter) }),
        ("08-street", {
            $0.toContact(); $0.type("王小明"); $0.keys(.enter); $0.type("13800138000"); $0.keys(.enter, .character("1"), .enter)
        }),
        ("09-household", {
            $0.toContact(); $0.type("王小明"); $0.keys(.enter); $0.type("13800138000")
            $0.keys(.enter, .character("1"), .enter, .character("1"), .character("2")); $0.type("武定路1号"); $0.keys(.enter)
        }),
        ("10-consent", { $0.toConsent() }),
        ("11-review", { $0.toReview() }),
        ("12-declined", { $0.toConsent(); $0.keys(.character("2")) }),
        ("13-submitting", { $0.toReview(); $0.keys(.character("1")) }),
        ("14-receipt", {
            $0.toReview(); $0.keys(.character("1"))
            $0.send(.submitted(ReceiptInfo(submissionID: UUID(), number: ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42),
                                           token: "t", qr: sampleQR, progressCode: "4821")))
        }),
        ("15-receipt-not-printed", {
            $0.toReview(); $0.keys(.character("1"))
            $0.send(.submitted(ReceiptInfo(submissionID: UUID(), number: ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42),
                                           token: "t", qr: sampleQR)), .printProgress(.failed))
        }),
        ("16-submit-failed", { $0.toReview(); $0.keys(.character("1")); $0.send(.submitFailed) }),
        ("17-idle-countdown", { $0.keys(.enter); $0.wait(shippedConfiguration.session.idleTimeout - .seconds(10)) }),
        ("18-story", { $0.toReview(); $0.keys(.escape); $0.type("腿脚不便") }),
        ("19-consult", { $0.keys(.character("3")) }),
        ("20-consult-programme", { $0.keys(.character("3"), .character("3")) }),
        ("21-consult-service", { $0.keys(.character("3"), .character("3"), .character("1")) }),
        ("22-receipt-no-printer", {
            $0.context = FrontContext(config: shippedConfiguration, printsReceipts: false)
            $0.toReview(); $0.keys(.character("1"))
            $0.send(.submitted(ReceiptInfo(submissionID: UUID(), number: ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42),
                                           token: "t", qr: sampleQR)))
        }),
        ("23-progress-entry", { $0.keys(.character("4")); $0.type("JA0301-261130-0042-Q"); $0.keys(.enter) }),
        ("23b-progress-code", {
            $0.keys(.character("4")); $0.type(ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 42).description)
            $0.keys(.enter); $0.type("12")
        }),
        ("23c-progress-exists", {
            $0.keys(.character("4")); $0.type(ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 42).description)
            $0.keys(.enter, .enter); $0.send(.progressAnswered(.exists(true)))
        }),
        ("24-progress", {
            let number = ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 42)
            let day = Date(timeIntervalSince1970: 1_796_000_000)
            $0.keys(.character("4")); $0.type(number.description); $0.keys(.enter); $0.type("1234"); $0.keys(.enter)
            $0.send(.progressAnswered(.details(ReceiptProgress(receiptNumber: number, here: .sent(day), steps: [
                ProgressChange(id: 1, receiptNumber: number, state: .received, at: day),
                ProgressChange(id: 2, receiptNumber: number, state: .assigned, at: day + 3600),
                ProgressChange(id: 3, receiptNumber: number, state: .referred, at: day + 86400,
                               partner: LocalizedText(chinese: "市慈善基金会", english: "City Charity Foundation")),
                ProgressChange(id: 4, receiptNumber: number, state: .referred, at: day + 90000,
                               partner: LocalizedText(chinese: "市慈善基金会", english: "City Charity Foundation"),
                               referral: ReferralProgress(step: .accepted)),
                ProgressChange(id: 5, receiptNumber: number, state: .inService, at: day + 3 * 86400,
                               partner: LocalizedText(chinese: "市慈善基金会", english: "City Charity Foundation"),
                               referral: ReferralProgress(step: .completed, deliveredOn: day + 2 * 86400)),
                ProgressChange(id: 6, receiptNumber: number, state: .closed, at: day + 5 * 86400, outcome: .referredConfirmed),
            ]))))
        }),
    ]

    @Test(arguments: [Language.chinese, .english], [(80, 24), (120, 40)])
    func everyScreenMatchesItsSnapshot(language: Language, size: (Int, Int)) throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        for (name, reach) in Self.screens {
            var flow = FlowDriver()
            if language == .english { flow.send(.tap(.toggleLanguage)) }
            reach(&flow)
            let screen = flow.screen(size.0, size.1) + "\n"
            let file = Self.folder.appendingPathComponent("\(name).\(language.rawValue).\(size.0)x\(size.1).txt")
            if Self.recording {
                try screen.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try? String(contentsOf: file, encoding: .utf8)
            #expect(expected != nil, "missing snapshot \(file.lastPathComponent): record with KIOSK_RECORD_SNAPSHOTS=1")
            #expect(screen == expected, "\(file.lastPathComponent) differs")
        }
    }
}
