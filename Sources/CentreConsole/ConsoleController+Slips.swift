import CentreConfig
import CentreSlips
import CentreStore
import CentreWorkflow
import Foundation
import HTTPTypes
import KioskDomain
import Hummingbird
import NIOCore
import NIOPosix

/// The referral slip from a case's page: printed on the centre's CUPS
/// queue, or given as a PDF for the browser to print. The slip holds no
/// personal data (partner, number, signed QR code), so neither the spool
/// nor a download keeps anything of the resident; each print is audited.
extension ConsoleController {
    /// The case's referral `number`, as a slip in the resident's language; nil when there is no such referral here.
    func slip(_ visit: Visit) async throws -> ReferralSlip? {
        let reference = visit.parameters.get("reference") ?? ""
        let number = visit.parameters.get("number") ?? ""
        guard let detail = try await store.caseDetail(reference, viewer: visit.staff.username, street: visit.staff.street,
                                                      now: visit.now),
              let referral = detail.referrals.first(where: { $0.number == number }),
              let partner = config.partner(referral.partner) else { return nil }
        let language = detail.submission?.language == "en" ? Language.english : .chinese
        return ReferralSlip(centreName: config.name, partner: partner, kind: referral.kind,
                            token: ReferralToken(number: number, key: store.slipKey), issuedAt: visit.now,
                            language: language)
    }

    func slipPDF(_ visit: Visit) async throws -> Response {
        guard let slip = try await slip(visit) else { return message(visit, status: .notFound, title: visit.texts[.notFound]) }
        let printer = SlipPrinter(settings: config.slips), zone = config.timeZone
        let page = try await NIOThreadPool.singleton.runIfActive { try printer.pdf(slip, timeZone: zone) }
        try await store.audit(actor: visit.staff.username, action: "referral_slip", case: visit.parameters.get("reference"),
                              detail: slip.token.number, now: visit.now)
        var headers = Self.pageHeaders
        headers[.contentType] = "application/pdf"
        headers[.contentDisposition] = "inline; filename=\"referral-\(slip.token.number).pdf\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: page.pdf)))
    }

    func printSlip(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        guard let slip = try await slip(visit) else { return message(visit, status: .notFound, title: visit.texts[.notFound]) }
        let printer = SlipPrinter(settings: config.slips), zone = config.timeZone
        do {
            // CUPS calls block: on NIO's thread pool, not the async threads.
            let job = try await NIOThreadPool.singleton.runIfActive { try printer.print(slip, timeZone: zone) }
            try await store.audit(actor: visit.staff.username, action: "referral_slip", case: reference,
                                  detail: "\(slip.token.number) printed", now: visit.now)
            logger.info("referral slip printed", metadata: ["referral.number": "\(slip.token.number)", "cups.job": "\(job)"])
        } catch let failure as SlipPrinter.Failure {
            logger.warning("referral slip not printed", metadata: ["referral.number": "\(slip.token.number)",
                                                                   "error": "\(failure)"])
            return try await casePage(visit, look: .view, errors: [("referral-\(slip.token.number)",
                                                                   visit.texts.format("slip_failed", failure.description))],
                                      status: .serviceUnavailable)
        }
        return redirect("/cases/\(reference)?done=referral_slip#referral-\(slip.token.number)")
    }
}
