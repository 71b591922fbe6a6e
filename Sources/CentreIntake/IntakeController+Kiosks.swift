import Foundation
import Hummingbird
import IntakeProtocol
import KioskDomain

/// What a kiosk sends about itself: its heartbeat, and its question about
/// what became of its requests.
extension IntakeController {
    func heartbeat(_ request: Request, code: String, _ signed: SignedRequest) async -> Response {
        let signature = request.headers[.kioskSignature] ?? ""
        guard let heartbeat = try? KioskHeartbeat.decode(signed.body), heartbeat.kioskCode == code, signed.kiosk == code
        else { return IntakeResponse.problem(400, "Malformed heartbeat") }
        if let issue = heartbeat.problem() { return IntakeResponse.problem(422, "Invalid heartbeat", detail: issue) }
        do {
            guard try await store.recordHeartbeat(heartbeat, body: signed.body, signature: signature) else {
                return IntakeResponse.problem(409, "Replayed heartbeat", detail: "this signed heartbeat was received before")
            }
            return Response(status: .noContent)
        } catch {
            return IntakeResponse.problem(503, "Cannot store now")
        }
    }

    /// A kiosk asks what became of its requests since its last change.
    func progress(_ request: Request, code: String, _ signed: SignedRequest) async -> Response {
        guard let query = try? ProgressQuery.decode(signed.body), query.kioskCode == code, signed.kiosk == code,
              query.after >= 0, (1...ProgressQuery.maxLimit).contains(query.limit)
        else { return IntakeResponse.problem(400, "Malformed progress query") }
        do {
            let page = try await store.progress(kiosk: code, after: query.after, limit: query.limit) { partnerNames[$0] }
            let data = try page.encoded()
            var response = IntakeResponse.json(200, encoded: data)
            // Signed for this request alone: nobody else can show a resident a made-up step.
            let stamp = request.headers[.kioskTimestamp].flatMap { Int64($0) } ?? 0
            response.headers[.kioskAnswerSignature] =
                signed.signer.answerSignature(path: IntakePaths.progress(code), requestTimestamp: stamp, body: data)
            return response
        } catch {
            logger.error("cannot read progress", metadata: ["error": "\(error)"])
            return IntakeResponse.problem(503, "Cannot read now")
        }
    }
}
