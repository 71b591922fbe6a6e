import CentreStore
import Foundation
import Hummingbird
import IntakeProtocol
import KioskMetrics

/// Submissions: one path for both endpoints. A single POST is a batch of
/// one; each request is opened and checked on its own, then all that pass
/// are stored in one commit, and each gets its own answer.
extension IntakeController {
    /// One request (plain or sealed) with its Idempotency-Key.
    func submit(_ request: Request, _ signed: SignedRequest) async -> Response {
        guard let key = request.headers[.idempotencyKey], !key.isEmpty else {
            return IntakeResponse.problem(400, "Missing Idempotency-Key")
        }
        let admission = admit(submissionID: key, kiosk: signed.kiosk, notASubmission: .init(
            status: 400, title: "Malformed submission", detail: "the body is not a submission in JSON")
        ) { () throws(IntakeBody.Failure) in try envelopes.open(body: signed.body) }
        let answer = await storeAdmitted([admission], signed)[0]
        count(answer.status)
        var response = answer.receipt.map { IntakeResponse.json(answer.status, $0) }
            ?? IntakeResponse.problem(answer.status, answer.title, detail: answer.detail)
        if let refusal = answer.refusal(of: key, signer: signed.signer) { response.headers[.kioskRefusal] = refusal }
        return response
    }

    /// Several sealed submissions from one kiosk in one signed POST: one
    /// signature check and one commit for all, an answer for each. The
    /// batch as a whole is refused only for what would refuse every
    /// request in it (signature, size, a body that is not a batch); the
    /// kiosk then sends them one at a time.
    func submitBatch(_ signed: SignedRequest) async -> Response {
        guard let batch = SubmissionBatch.decode(signed.body) else {
            return IntakeResponse.problem(400, "Malformed batch", detail:
                "the body is not {\"submissions\": [1 to \(SubmissionBatch.maxCount) sealed submissions]}")
        }
        // The kiosk's allowance counts requests, not POSTs (one was taken for the POST).
        if batch.count > 1, let wait = guards.kiosks.take(signed.kiosk, amount: Double(batch.count - 1)) {
            return IntakeResponse.tooMany(wait, detail: "too many requests from kiosk \(signed.kiosk.prefix(12))")
        }
        let admissions = batch.map { sealed in
            admit(submissionID: sealed.submissionId.uuidString.lowercased(), kiosk: signed.kiosk, notASubmission: .init(
                status: 422, title: "Sealed part does not open", detail: "not a sealed submission")
            ) { () throws(IntakeBody.Failure) in try envelopes.open(sealed) }
        }
        let answers = await storeAdmitted(admissions, signed)
        let results = zip(batch, answers).map { sealed, answer in
            count(answer.status)
            let id = sealed.submissionId.uuidString.lowercased()
            return SubmissionBatchAnswer.Result(
                submissionId: id, status: answer.status,
                reference: answer.receipt?.reference, acknowledgement: answer.receipt?.acknowledgement,
                title: answer.receipt == nil ? answer.title : nil, detail: answer.detail,
                refusal: answer.refusal(of: id, signer: signed.signer))
        }
        return IntakeResponse.json(200, SubmissionBatchAnswer(results: results))
    }

    /// A request opened and checked, or the answer that refuses it.
    enum Admission {
        case ready(IntakeSubmission)
        case refused(SubmissionAnswer)
    }

    /// Opens one request and checks it against its kiosk and id (`IntakeEnvelopes.admit`).
    func admit(submissionID: String, kiosk: String, notASubmission: SubmissionAnswer,
               _ open: () throws(IntakeBody.Failure) -> IntakeSubmission) -> Admission {
        switch IntakeEnvelopes.admit(kiosk: kiosk, submissionID: submissionID, open) {
        case let .success(submission): return .ready(submission)
        case .failure(.notASubmission): return .refused(notASubmission)
        case let .failure(.doesNotOpen(reason)):
            // The kiosk's database was edited, or it seals to another centre's key.
            logger.warning("sealed submission does not open", metadata: ["kiosk.code": "\(kiosk)"])
            return .refused(SubmissionAnswer(status: 422, title: "Sealed part does not open", detail: reason))
        case let .failure(.invalid(issue, _)):
            return .refused(SubmissionAnswer(status: 422, title: "Invalid submission", detail: issue))
        }
    }

    /// Stores every ready request in one commit; the answers in the order given.
    func storeAdmitted(_ admissions: [Admission], _ signed: SignedRequest) async -> [SubmissionAnswer] {
        let ready = admissions.compactMap { if case let .ready(submission) = $0 { submission } else { nil } }
        let outcomes: [Result<CenterStore.Outcome, any Error>]
        do { outcomes = try await store.acceptAll(ready) } catch { outcomes = ready.map { _ in .failure(error) } }
        var next = outcomes.makeIterator()
        return admissions.map { admission in
            switch admission {
            case let .refused(answer): answer
            case let .ready(submission): answer(to: submission, next.next()!, signed)
            }
        }
    }

    /// Each request's outcome, alone or in a batch, counted once.
    func count(_ status: Int) {
        let outcome = switch status {
        case 201: "created"
        case 200: "duplicate"
        case 409: "conflict"
        case 400, 422: "invalid"
        default: "unavailable"
        }
        KioskMetric.centreIntakeRequests.counter([("outcome", outcome)]).increment()
    }
}
