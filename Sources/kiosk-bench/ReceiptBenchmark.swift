import IntakeProtocol
import ArgumentParser
import CQRencode
import CupsPrinting
import Foundation
import KioskConfig
import KioskDomain
import KioskPrinting
import KioskStore
import Logging
import QRCode
import ReceiptPDF
import Receipts

/// `kiosk-bench receipt`: QR encoding through our wrapper against a direct
/// libqrencode call (same payloads, interleaved), receipt PDF rendering, and
/// submit-to-job-accepted-by-cupsd when a CUPS queue is reachable.
struct ReceiptBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt", abstract: "QR wrapper against libqrencode (goal: ratio <= 1.1), PDF render, print submit.")

    @Option(help: "Measured rounds.")
    var count = 2000

    @Option(help: "Configuration folder (default: $KIOSK_CONFIG or ./kiosk-config).")
    var config: String?

    @Option(help: "Assets folder (default: $KIOSK_ASSETS or ./assets).")
    var assets: String?

    @Option(help: "Print submissions to send to CUPS (0 to skip).")
    var printJobs = 20

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try ConfigurationLoader.load(from: URL(fileURLWithPath:
            config ?? environment["KIOSK_CONFIG"] ?? "kiosk-config"))
        let layout = try ReceiptLayout.load(from: URL(fileURLWithPath:
            assets ?? environment["KIOSK_ASSETS"] ?? "assets").appendingPathComponent("receipt-layout.yaml"))
        let key = ReceiptKey(bytes: Array(repeating: 5, count: 32))
        let payloads = (1...64).map {
            ReceiptToken(receiptNumber: ReceiptNumber(kioskCode: configuration.identity.kioskCode, day: "261129", sequence: $0),
                         issuedAt: Date(timeIntervalSince1970: 1_795_917_600 + Double($0)), key: key).description
        }

        var wrapper = Samples(), direct = Samples()
        for round in 0..<(count + 100) {
            let payload = payloads[round % payloads.count]
            let measured = round >= 100
            let viaWrapper = { wrapper.record(try Samples.time { _ = try QREncoder.encode(payload) }, if: measured) }
            let viaC = {
                direct.record(Samples.time {
                    let bytes = Array(payload.utf8)
                    let code = bytes.withUnsafeBufferPointer { QRcode_encodeData(Int32($0.count), $0.baseAddress, 0, QR_ECLEVEL_M) }
                    QRcode_free(code)
                }, if: measured)
            }
            if round % 2 == 0 { try viaWrapper(); viaC() } else { viaC(); try viaWrapper() }
        }

        // Render both copies of a realistic receipt.
        let folder = try scratchFolder(nil, "receipt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try KioskStore(
            path: folder.appendingPathComponent("kiosk.sqlite").path, centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey,
            issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode, timeZone: configuration.identity.timeZone))
        let draft = SubmitBenchmark().sampleDraft(configuration)
        let submission = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
        let token = ReceiptToken(receiptNumber: submission.receiptNumber, issuedAt: submission.createdAt, key: key)
        let composer = ReceiptComposer(config: configuration, layout: layout)
        var render = Samples()
        var bytes = 0
        for _ in 0..<100 {
            render.record(try Samples.time {
                bytes = try ReceiptPDFRenderer.render(try composer.document(.resident, for: submission, token: token)).count
            }, if: true)
        }

        print("kiosk-bench receipt: \(count) QR encodes each way, \(payloads[0].count)-character tokens, level M")
        print(wrapper.line("QR encode, our wrapper"))
        print(direct.line("QR encode, libqrencode"))
        print(render.line("receipt PDF render") + "  \(bytes) bytes")

        let destination = CupsDestination(queue: configuration.printer.queue)
        let status = destination.status()
        if printJobs > 0, status.condition != .cupsUnreachable, status.condition != .unknownQueue {
            var submit = Samples()
            var cupsIDs: [Int32] = []
            for _ in 0..<printJobs {
                // What a resident waits for between "send" and the printer starting.
                submit.record(try Samples.time {
                    let fresh = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
                    let freshToken = ReceiptToken(receiptNumber: fresh.receiptNumber, issuedAt: fresh.createdAt, key: key)
                    let pdf = try ReceiptPDFRenderer.render(try composer.document(.resident, for: fresh, token: freshToken))
                    cupsIDs.append(try destination.submit(pdf: pdf, title: "bench \(fresh.receiptNumber)"))
                }, if: true)
            }
            for id in cupsIDs { try? destination.cancel(jobID: id) }
            print(submit.line("submit to job accepted"))
        } else {
            print("submit to job accepted: not measured (printer \(configuration.printer.queue): \(status); start scripts/printer-lab and set CUPS_SERVER)")
        }
        print(String(format: "ratio %.2f", wrapper.median / direct.median))
    }
}
