import CentreConfig
import CupsPrinting
import Foundation
import ReceiptPDF
import Receipts

/// Draws slips (the kiosk's PDF renderer) and sends them to the centre's
/// printer (the kiosk's CUPS library). Why a print failed is said in
/// words for the adviser; nothing on a slip is personal, so a job left in
/// the spool holds nothing of the resident.
public struct SlipPrinter: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let settings: SlipSettings

    public init(settings: SlipSettings) {
        self.settings = settings
    }

    public func pdf(_ slip: ReferralSlip, timeZone: TimeZone) throws(Failure) -> ReceiptPDFRenderer.Page {
        do {
            return try ReceiptPDFRenderer.renderPage(try slip.document(settings, timeZone: timeZone))
        } catch let error as ReceiptPDFRenderer.RenderError {
            throw Failure(description: "the slip could not be drawn: \(error)")
        } catch {
            throw Failure(description: "the slip's QR code could not be made: \(error)")
        }
    }

    /// Prints one slip; returns the CUPS job id. Blocks on the CUPS call: run it off the async threads.
    public func print(_ slip: ReferralSlip, timeZone: TimeZone) throws(Failure) -> Int32 {
        guard let queue = settings.printer else { throw Failure(description: "no slip printer is set (center.yaml referral_slips.printer)") }
        let page = try pdf(slip, timeZone: timeZone)
        do {
            return try CupsDestination(queue: queue).submit(pdf: page.pdf, title: "referral slip \(slip.token.number)",
                                                            pageMM: (page.widthMM, page.heightMM))
        } catch {
            throw Failure(description: "the printer \(queue) did not take the slip: \(error)")
        }
    }
}
