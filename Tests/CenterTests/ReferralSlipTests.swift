import CentreConfig
import CentreSlips
import CentreWorkflow
import Foundation
import KioskDomain
import TestSupport
import Testing

/// The referral slip: drawn by the kiosk's PDF renderer with the partner's
/// details and a signed QR code (read back with zbar), nothing of the
/// resident; printed through the test cupsd to the lab's IPP printer.
@Suite(.serialized) struct ReferralSlipTests {
    let key = ReferralSlipKey(sealKey: Array(repeating: 7, count: 32))

    func slip(_ language: Language = .chinese) throws -> ReferralSlip {
        let config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        return ReferralSlip(centreName: config.name, partner: try #require(config.partner("charity-foundation")),
                            kind: .material, token: ReferralToken(number: "C00000012-1", key: key),
                            issuedAt: Date(timeIntervalSince1970: 1_796_349_600), language: language)
    }

    @Test func aTokenVerifiesOnlyWithItsCentresKeyAndUnaltered() throws {
        let token = ReferralToken(number: "C00000012-1", key: key)
        #expect(token.description.hasPrefix("R1.C00000012-1.") && token.description.count <= 40)
        #expect(ReferralToken(verifying: " \(token.description)\n", key: key)?.number == "C00000012-1")
        #expect(ReferralToken(verifying: token.description, key: ReferralSlipKey(sealKey: Array(repeating: 8, count: 32))) == nil)
        let altered = token.description.replacingOccurrences(of: "C00000012-1", with: "C00000013-1")
        #expect(ReferralToken(verifying: altered, key: key) == nil, "another number under the same signature")
        #expect(ReferralToken(verifying: "R1.C00000012-1", key: key) == nil)
        #expect(ReferralToken.looksLikeToken(altered) && !ReferralToken.looksLikeToken("C00000012-1"))
    }

    @Test func theSlipNamesThePartnerAndCarriesItsSignedCodeAndNothingOfTheResident() throws {
        let folder = try temporaryFolder("slip")
        for language in [Language.chinese, .english] {
            let page = try SlipPrinter(settings: SlipSettings()).pdf(try slip(language), timeZone: TimeZone(identifier: "Asia/Shanghai")!)
            #expect(page.widthMM == 80 && page.heightMM > 80)
            let url = folder.appendingPathComponent("slip-\(language.rawValue).pdf")
            try page.pdf.write(to: url)
            let text = try runToEnd(["/usr/bin/pdftotext", "-layout", url.path, "-"]).stdout
            let words = language == .chinese
                ? ["转介单", "市慈善基金会", "延安中路", "周一至周五", "021-6279 0000", "身份证", "物质帮助", "C00000012-1", "2026-12-04 10:00"]
                : ["Referral slip", "City Charity Foundation", "Yan'an Middle Road", "Mon–Fri", "Material help", "C00000012-1"]
            for word in words { #expect(text.contains(word), "\(word) on the \(language) slip:\n\(text)") }
            let image = folder.appendingPathComponent("slip-\(language.rawValue)").path
            _ = try runToEnd(["/usr/bin/pdftoppm", "-r", "300", "-png", "-singlefile", url.path, image])
            let scanned = try runToEnd(["/usr/bin/zbarimg", "--nodbus", "--quiet", "--raw", image + ".png"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(ReferralToken(verifying: scanned, key: key)?.number == "C00000012-1", "scanned: \(scanned)")
        }
    }

    @Test func aSlipPrintsThroughCUPSAndAMissingPrinterSaysSo() async throws {
        let environment = ProcessInfo.processInfo.environment
        let unset = SlipPrinter(settings: SlipSettings())
        #expect(throws: SlipPrinter.Failure.self) { try unset.print(try slip(), timeZone: .current) }
        let unknown = SlipPrinter(settings: SlipSettings(printer: "no-such-queue"))
        #expect(throws: SlipPrinter.Failure.self) { try unknown.print(try slip(), timeZone: .current) }

        guard environment["CUPS_SERVER"] != nil, let queue = environment["KIOSK_TEST_PRINTER_QUEUE"],
              let spool = environment["KIOSK_TEST_PRINTER_SPOOL"] else {
            Issue.record("no printer lab: run the tests with ./scripts/test, which starts cupsd and ippeveprinter")
            return
        }
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: spool))
        let job = try SlipPrinter(settings: SlipSettings(printer: queue)).print(try slip(), timeZone: .current)
        #expect(job > 0)
        // The printer writes the document when it has printed it.
        var printed: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while printed.isEmpty, Date() < deadline {
            printed = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".pdf") && !before.contains($0) }
            if printed.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        let document = try #require(printed.first.map { URL(fileURLWithPath: spool).appendingPathComponent($0) })
        #expect(try runToEnd(["/usr/bin/pdftotext", document.path, "-"]).stdout.contains("市慈善基金会"))
    }
}
