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
