import CentreStore
import Foundation
import IntakeProtocol
import Logging

/// What one submission gets, alone or in a batch: its status, and a signed
/// receipt or a problem's words.
struct SubmissionAnswer {
    var status: Int
    var receipt: IntakeReceipt?
    var title = ""
    var detail: String?

    init(status: Int, receipt: IntakeReceipt) {
        self.status = status
        self.receipt = receipt
    }

    init(status: Int, title: String, detail: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    /// A final refusal (a 4xx the kiosk must not retry) carries the kiosk's
    /// signature over the submission id and the status: the kiosk sets a
    /// request aside only on the centre's word, never on a proxy's.
    func refusal(of submissionID: String, signer: RequestSigner) -> String? {
        guard (400..<500).contains(status), ![401, 408, 429].contains(status) else { return nil }
        return signer.refusal(submissionID: submissionID, status: status)
    }
}

extension IntakeController {
    /// The answer to a stored (or not stored) submission, logged by ids only.
    func answer(to submission: IntakeSubmission, _ outcome: Result<CenterStore.Outcome, any Error>,
                _ signed: SignedRequest) -> SubmissionAnswer {
        let key = submission.submissionId.uuidString.lowercased()
        let ids: Logger.Metadata = ["kiosk.code": "\(signed.kiosk)", "receipt.number": "\(submission.receiptNumber)"]
        func receipt(_ status: Int, _ reference: String) -> SubmissionAnswer {
            SubmissionAnswer(status: status, receipt: IntakeReceipt(
                reference: reference, acknowledgement: signed.signer.acknowledgement(submissionID: key, reference: reference)))
        }
        switch outcome {
        case let .success(.created(reference)):
            logger.info("submission received", metadata: ids.merging(["centre.reference": "\(reference)"]) { $1 })
            return receipt(201, reference)
        case let .success(.duplicate(reference)):
            // A resend: the kiosk did not record the first answer (it was cut off or killed).
            logger.info("submission already held; answered with its reference",
                        metadata: ids.merging(["centre.reference": "\(reference)"]) { $1 })
            return receipt(200, reference)
        case .success(.conflict):
            logger.warning("submission id reused with another body", metadata: ids)
            return SubmissionAnswer(status: 409, title: "Conflict", detail: "this submission id was received with a different body")
        case let .success(.receiptClash(holder)):
            // Final, not a fault to retry: the kiosk sets it aside for a technician.
            logger.warning("receipt number already held by another request",
                           metadata: ids.merging(["centre.reference": "\(holder)"]) { $1 })
            return SubmissionAnswer(status: 409, title: "Receipt number already held",
                                    detail: "receipt \(submission.receiptNumber) is already held by another request (\(holder)); "
                                        + "was the kiosk's database restored from an older copy?")
        case let .failure(error):
            logger.error("cannot store submission", metadata: ["error": "\(error)"])
            return SubmissionAnswer(status: 503, title: "Cannot store now", detail: "try again later")
        }
    }
}
