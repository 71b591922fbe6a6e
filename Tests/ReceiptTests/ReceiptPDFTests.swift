import Foundation
import KioskDomain
import Testing
@testable import ReceiptPDF
@testable import Receipts

@Suite struct ReceiptPDFTests {
    func write(_ data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("receipt-\(UUID().uuidString).pdf")
        try data.write(to: url)
        return url
    }

    @Test func residentCopyHoldsNumberCentreAndAReadableQRButNoPersonalData() throws {
        let fixture = try KioskFixture()
        let submission = try fixture.submit()
        let token = fixture.token(submission)
        let document = try ReceiptComposer(config: fixture.config, layout: fixture.layout)
            .document(.resident, for: submission, token: token)
        let url = try write(try ReceiptPDFRenderer.render(document))

        let text = try pdfText(url)
        #expect(text.contains(submission.receiptNumber.description))
        #expect(text.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "")
            .contains("静安区南京西路街道社区事务受理服务中心"))
        #expect(!text.contains(KioskFixture.phone) && !text.contains("欧阳"))
        #expect(try pdfQRCodes(url) == [token.description])
        // The progress code beside the number (the QR code holds the token alone).
        #expect(token.progressCode.count == 4 && text.contains("查询码 \(token.progressCode)"))

        let size = try pdfPageSize(url)
        #expect(abs(size.width - 80 * 72 / 25.4) < 0.5, "80 mm roll")
        #expect(size.height > 200 && size.height < 1000, "as long as the content")
    }

    @Test func centreCopyCarriesHardshipAndContactWithResidentTextNeverReadAsMarkup() throws {
        let fixture = try KioskFixture()
        let submission = try fixture.submit()
        let document = try ReceiptComposer(config: fixture.config, layout: fixture.layout)
            .document(.centre, for: submission, token: fixture.token(submission))
        let text = try pdfText(try write(try ReceiptPDFRenderer.render(document)))
        #expect(text.contains("<b>欧阳</b>&amp;明华"), "markup must print literally")
        #expect(text.contains(KioskFixture.phone))
        #expect(text.contains("红色"))
        #expect(text.contains("110105********002X"), "ID number masked")
        #expect(!text.contains("查询码"), "the progress code is the resident's alone")
    }

    @Test func englishResidentsGetAnEnglishReceiptOn58mmRolls() throws {
        let fixture = try KioskFixture(edits: [("kiosk.yaml", "roll_width_mm: 80", "roll_width_mm: 58")])
        let submission = try fixture.submit(language: .english, name: "Anna Li")
        let document = try ReceiptComposer(config: fixture.config, layout: fixture.layout)
            .document(.resident, for: submission, token: fixture.token(submission))
        let url = try write(try ReceiptPDFRenderer.render(document))
        #expect(try pdfText(url).contains("Your request has been received"))
        #expect(abs(try pdfPageSize(url).width - 58 * 72 / 25.4) < 0.5)
        #expect(try pdfQRCodes(url) == [fixture.token(submission).description])
    }

    /// On both rolls and in both languages: no line holds one character
    /// alone, no number, time or hotline name is split, hotlines print one a
    /// line, and the receipt says what to do if nobody calls.
    @Test(arguments: [(80, Language.chinese), (58, .chinese), (80, .english), (58, .english)])
    func linesBreakWhereAReaderExpects(width: Int, language: Language) throws {
        let fixture = try KioskFixture(edits: [("kiosk.yaml", "roll_width_mm: 80", "roll_width_mm: \(width)")])
        let submission = try fixture.submit(language: language, name: "Anna Li")
        let document = try ReceiptComposer(config: fixture.config, layout: fixture.layout)
            .document(.resident, for: submission, token: fixture.token(submission))
        let page = try ReceiptPDFRenderer.renderPage(document)
        #expect(page.widthMM == Double(width) && page.heightMM > 100, "the roll's width, the receipt's length")
        let url = try write(page.pdf)
        if let folder = ProcessInfo.processInfo.environment["KIOSK_RECEIPT_PREVIEWS"] {
            try runProgram("/usr/bin/pdftoppm", ["-r", "200", "-png", "-singlefile", url.path, "\(folder)/receipt-\(width)-\(language.rawValue)"])
        }
        let lines = try runProgram("/usr/bin/pdftotext", [url.path, "-"]).output
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(["\u{0C}"])) }
            .filter { !$0.isEmpty }
        for line in lines {
            #expect(line.filter { !$0.isWhitespace }.count > 1, "a character alone on a line: \(lines)")
        }
        for hotline in fixture.config.hotlines {
            #expect(lines.contains { $0.hasPrefix(hotline.number + " ") || $0 == hotline.number }, "\(hotline.number) whole: \(lines)")
            if width == 80, language == .chinese {
                #expect(lines.contains { $0.contains(hotline.label[language]) }, "\(hotline.label[language]) whole: \(lines)")
            }
        }
        let hours = fixture.config.centre.hours[language]
        for time in ["9:00–17:00", "9:00–12:00"] where hours.contains(time) {
            #expect(lines.contains { $0.contains(time) }, "\(time) not split: \(lines)")
        }
        #expect(lines.joined().contains(language == .chinese ? "没有人联系您" : "If nobody has called you"))
    }

    @Test func wordJoinersHoldNumbersAndTheLastCharacter() {
        #expect(ReceiptText.keepingNumbersWhole("9:00–17:00") == "9:\u{2060}00–\u{2060}17:\u{2060}00")
        #expect(ReceiptText.keepingNumbersWhole("A-B 1-2") == "A-B 1-\u{2060}2")
        #expect(ReceiptText.unbreakable("12345 热线 (24 h)") == "1\u{2060}2\u{2060}3\u{2060}4\u{2060}5 热\u{2060}线 (\u{2060}2\u{2060}4 h\u{2060})")
        #expect(ReceiptText.joiningOneMoreAtTheEnd("热线") == "热\u{2060}线")
        #expect(ReceiptText.joiningOneMoreAtTheEnd("热\u{2060}线") == "热\u{2060}线", "two characters: nothing further back")
        #expect(ReceiptText.joiningOneMoreAtTheEnd("援助热\u{2060}线") == "援助\u{2060}热\u{2060}线")
    }

    @Test func qrModulesAreAtLeastHalfAMillimetreWithAQuietZone() throws {
        let fixture = try KioskFixture(edits: [("kiosk.yaml", "roll_width_mm: 80", "roll_width_mm: 58")])
        let document = try ReceiptComposer(config: fixture.config, layout: fixture.layout).testPage(now: Date())
        guard case let .qr(matrix)? = document.blocks.first(where: { if case .qr = $0 { true } else { false } }) else {
            Issue.record("test page has no QR")
            return
        }
        let module = ReceiptPDFRenderer.qrModule(document).module(matrix) / ReceiptPDFRenderer.pointsPerMM
        #expect(module >= 0.5)
        #expect(document.qr.quietZoneModules >= 4)
    }
}
