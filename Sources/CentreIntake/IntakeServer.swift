import CentreConfig
import CentreOperations
import CentreStore
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import KioskDomain
import KioskMetrics
import Logging
import NIOCore

/// kiosk-center serve: the community acceptance centre's intake API.
///
/// Refuses before storing anything: anything but JSON (415), bodies over 64 KiB (413), requests
/// without a valid signature from a registered kiosk or outside the ±300 s
/// window (401), malformed bodies (400) and bodies that break the protocol's
/// rules (422). Too many failed authentications from one address, or too
/// many requests from one kiosk, are answered 429 with `Retry-After`.
/// Deduplicates by submission id: a resend gets the same
/// reference (200); the same id with another body is refused (409), and so
/// is a new id with a receipt number the kiosk already used (409).
/// Security: kiosk secrets stay in the centre's database, sealed; sealed
/// bodies are opened here with the intake key and checked like plain ones;
/// responses and logs carry ids and references, never personal data.
public enum IntakeServer {
    public static let maxBodyBytes = 64 * 1024
    /// A body not complete within this is refused (408): a connection that
    /// trickles its body cannot hold a slot for ever.
    public static let bodyTimeout: Duration = .seconds(10)

    public typealias Context = PeerRequestContext

    /// The router, with any extra middleware (tests add fault injection here).
    /// `partners` words a referral's partner for the kiosks' progress screens.
    /// `trustedProxies`: peers whose `X-Forwarded-For` names the client the limits count.
    public static func router(store: CenterStore, logger: Logger, limits: IntakeLimits = .standard,
                              partners: [Partner] = [], trustedProxies: TrustedProxies = .none,
                              middleware: [any MiddlewareProtocol<Request, Response, Context>] = []) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: ResponseMetricsMiddleware(listener: "intake"))
        router.add(middleware: AllowedMethodsMiddleware(routes: [
            .init("api/v1/submissions", [.post]), .init("api/v1/submissions/batch", [.post]),
            .init("api/v1/kiosks/:code/heartbeat", [.post]), .init("api/v1/kiosks/:code/progress", [.post]),
            .init("health", [.get]),
        ]))
        for item in middleware { router.add(middleware: item) }
        let guards = Guards(limits)
        @Sendable func client(_ request: Request, _ context: Context) -> String {
            ClientAddress.key(peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor],
                              trusted: trustedProxies)
        }
        router.post("api/v1/submissions") { request, context in
            await submit(request, peer: client(request, context), store: store, guards: guards, logger: logger)
        }
        router.post("api/v1/submissions/batch") { request, context in
            await submitBatch(request, peer: client(request, context), store: store, guards: guards, logger: logger)
        }
        router.post("api/v1/kiosks/:code/heartbeat") { request, context in
            await heartbeat(request, code: context.parameters.get("code") ?? "", peer: client(request, context), store: store,
                            guards: guards, logger: logger)
        }
        let partnerNames = Dictionary(partners.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        router.post("api/v1/kiosks/:code/progress") { request, context in
            await progress(request, code: context.parameters.get("code") ?? "", peer: client(request, context), store: store,
                           guards: guards, partnerNames: partnerNames, logger: logger)
        }
        OperationsEndpoints.addHealth(to: router, store: store, logger: logger)
        return router
    }

    /// A kiosk asks what became of its requests since its last change.
    static func progress(_ request: Request, code: String, peer: String, store: CenterStore, guards: Guards,
                         partnerNames: [String: LocalizedText], logger: Logger) async -> Response {
        let body: Data, signer: RequestSigner
        switch await authenticate(request, path: IntakePaths.progress(code), peer: peer, store: store, guards: guards) {
        case let .failure(response): return response
        case let .success(data, kioskSigner): (body, signer) = (data, kioskSigner)
        }
        guard let query = try? ProgressQuery.decode(body), query.kioskCode == code,
              request.headers[HTTPField.Name(RequestSigner.codeHeader)!] == code, query.after >= 0,
              (1...ProgressQuery.maxLimit).contains(query.limit)
        else { return problem(400, "Malformed progress query") }
        do {
            let page = try await store.progress(kiosk: code, after: query.after, limit: query.limit) { partnerNames[$0] }
            let data = try page.encoded()
            var response = json(200, encoded: data)
            // Signed for this request alone: nobody else can show a resident a made-up step.
            let stamp = request.headers[HTTPField.Name(RequestSigner.timestampHeader)!].flatMap { Int64($0) } ?? 0
            response.headers[HTTPField.Name(RequestSigner.answerSignatureHeader)!] =
                signer.answerSignature(path: IntakePaths.progress(code), requestTimestamp: stamp, body: data)
            return response
        } catch {
            logger.error("cannot read progress", metadata: ["error": "\(error)"])
            return problem(503, "Cannot read now")
        }
    }

    static func submit(_ request: Request, peer: String, store: CenterStore, guards: Guards, logger: Logger) async -> Response {
        let body: Data, signer: RequestSigner
        switch await authenticate(request, path: IntakePaths.submissions, peer: peer, store: store, guards: guards) {
        case let .failure(response): return response
        case let .success(data, kioskSigner): (body, signer) = (data, kioskSigner)
        }
        guard let key = request.headers[HTTPField.Name(RequestSigner.idempotencyHeader)!], !key.isEmpty else {
            return problem(400, "Missing Idempotency-Key")
        }
        return signedRefusal(await submit(body, key: key, request: request, store: store, signer: signer, logger: logger),
                             submissionID: key, signer: signer)
    }

    /// A final refusal (a 4xx the kiosk must not retry) carries the kiosk's
    /// signature over the submission id and the status: the kiosk sets a
    /// request aside only on the centre's word, never on a proxy's.
    static func signedRefusal(_ response: Response, submissionID: String, signer: RequestSigner) -> Response {
        let status = response.status.code
        guard (400..<500).contains(status), ![401, 408, 429].contains(status) else { return response }
        var response = response
        response.headers[HTTPField.Name(RequestSigner.refusalHeader)!] = signer.refusal(submissionID: submissionID, status: status)
        return response
    }

    /// One authenticated submission with its Idempotency-Key: opened, checked, stored.
    static func submit(_ body: Data, key: String, request: Request, store: CenterStore, signer: RequestSigner,
                       logger: Logger) async -> Response {
        let submission: IntakeSubmission
        do { submission = try store.decodeSubmission(body) } catch {
            switch error {
            case .malformed:
                return problem(400, "Malformed submission", detail: "the body is not a submission in JSON")
            case let .sealing(reason):
                // The kiosk's database was edited, or it seals to another centre's key.
                logger.warning("sealed submission does not open", metadata: ["kiosk.code": "\(request.headers[HTTPField.Name(RequestSigner.codeHeader)!] ?? "")"])
                count(422)
                return problem(422, "Sealed part does not open", detail: reason)
            }
        }
        let kiosk = request.headers[HTTPField.Name(RequestSigner.codeHeader)!] ?? ""
        if let issue = submission.problem(headerKiosk: kiosk, idempotencyKey: key) {
            count(422)
            return problem(422, "Invalid submission", detail: issue)
        }
        let outcome: Result<CenterStore.Outcome, any Error>
        do { outcome = .success(try await store.accept(submission)) } catch { outcome = .failure(error) }
        let answer = answer(to: submission, outcome, kiosk: kiosk, signer: signer, logger: logger)
        count(answer.status)
        if let receipt = answer.receipt { return json(answer.status, receipt) }
        return problem(answer.status, answer.title, detail: answer.detail)
    }

    /// Several sealed submissions from one kiosk in one signed POST: one
    /// signature check and one commit for all, an answer for each. The
    /// batch as a whole is refused only for what would refuse every
    /// request in it (signature, size, a body that is not a batch); the
    /// kiosk then sends them one at a time.
    static func submitBatch(_ request: Request, peer: String, store: CenterStore, guards: Guards,
                            logger: Logger) async -> Response {
        let body: Data, signer: RequestSigner
        switch await authenticate(request, path: IntakePaths.submissionBatch, peer: peer, store: store,
                                  guards: guards, maxBytes: SubmissionBatch.maxBodyBytes) {
        case let .failure(response): return response
        case let .success(data, kioskSigner): (body, signer) = (data, kioskSigner)
        }
        guard let batch = SubmissionBatch.decode(body) else {
            return problem(400, "Malformed batch", detail: "the body is not {\"submissions\": [1 to \(SubmissionBatch.maxCount) sealed submissions]}")
        }
        let kiosk = request.headers[HTTPField.Name(RequestSigner.codeHeader)!] ?? ""
        // The kiosk's allowance counts requests, not POSTs (one was taken for the POST).
        if batch.count > 1, let wait = guards.kiosks.take(kiosk, amount: Double(batch.count - 1)) {
            return tooMany(wait, detail: "too many requests from kiosk \(kiosk.prefix(12))")
        }
        // Each opened and checked on its own: one bad submission is refused alone.
        var answers = [SubmissionAnswer?](repeating: nil, count: batch.count)
        var acceptable: [(index: Int, submission: IntakeSubmission)] = []
        for (index, sealed) in batch.enumerated() {
            let id = sealed.submissionId.uuidString.lowercased()
            do {
                let submission = try store.openSubmission(sealed)
                if let issue = submission.problem(headerKiosk: kiosk, idempotencyKey: id) {
                    answers[index] = SubmissionAnswer(status: 422, title: "Invalid submission", detail: issue)
                } else {
                    acceptable.append((index, submission))
                }
            } catch {
                // The kiosk's database was edited, or it seals to another centre's key.
                logger.warning("sealed submission does not open", metadata: ["kiosk.code": "\(kiosk)"])
                let reason = switch error { case let .sealing(reason): reason; case .malformed: "not a sealed submission" }
                answers[index] = SubmissionAnswer(status: 422, title: "Sealed part does not open", detail: reason)
            }
        }
        let outcomes: [Result<CenterStore.Outcome, any Error>]
        do { outcomes = try await store.acceptAll(acceptable.map(\.submission)) } catch {
            outcomes = acceptable.map { _ in .failure(error) }
        }
        for ((index, submission), outcome) in zip(acceptable, outcomes) {
            answers[index] = answer(to: submission, outcome, kiosk: kiosk, signer: signer, logger: logger)
        }
        let results = zip(batch, answers).map { sealed, answer in
            let answer = answer!
            count(answer.status)
            let id = sealed.submissionId.uuidString.lowercased()
            let final = (400..<500).contains(answer.status)
            return SubmissionBatchAnswer.Result(
                submissionId: id, status: answer.status,
                reference: answer.receipt?.reference, acknowledgement: answer.receipt?.acknowledgement,
                title: answer.receipt == nil ? answer.title : nil, detail: answer.detail,
                refusal: final ? signer.refusal(submissionID: id, status: answer.status) : nil)
        }
        return json(200, SubmissionBatchAnswer(results: results))
    }

    /// Each request's outcome, alone or in a batch, counted once.
    static func count(_ status: Int) {
        let outcome = switch status {
        case 201: "created"
        case 200: "duplicate"
        case 409: "conflict"
        case 422: "invalid"
        default: "unavailable"
        }
        KioskMetric.centreIntakeRequests.counter([("outcome", outcome)]).increment()
    }

    /// What one submission gets, alone or in a batch: its status, and a
    /// signed receipt or a problem's words.
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
    }

    /// The answer to a stored (or not stored) submission, logged by ids only.
    static func answer(to submission: IntakeSubmission, _ outcome: Result<CenterStore.Outcome, any Error>, kiosk: String,
                       signer: RequestSigner, logger: Logger) -> SubmissionAnswer {
        let key = submission.submissionId.uuidString.lowercased()
        switch outcome {
        case let .success(.created(reference)):
            logger.info("submission received", metadata: ["kiosk.code": "\(kiosk)", "receipt.number": "\(submission.receiptNumber)", "centre.reference": "\(reference)"])
            return SubmissionAnswer(status: 201, receipt: IntakeReceipt(
                reference: reference, acknowledgement: signer.acknowledgement(submissionID: key, reference: reference)))
        case let .success(.duplicate(reference)):
            // A resend: the kiosk did not record the first answer (it was cut off or killed).
            logger.info("submission already held; answered with its reference", metadata: ["kiosk.code": "\(kiosk)", "receipt.number": "\(submission.receiptNumber)", "centre.reference": "\(reference)"])
            return SubmissionAnswer(status: 200, receipt: IntakeReceipt(
                reference: reference, acknowledgement: signer.acknowledgement(submissionID: key, reference: reference)))
        case .success(.conflict):
            logger.warning("submission id reused with another body", metadata: ["kiosk.code": "\(kiosk)", "receipt.number": "\(submission.receiptNumber)"])
            return SubmissionAnswer(status: 409, title: "Conflict", detail: "this submission id was received with a different body")
        case let .success(.receiptClash(holder)):
            // Final, not a fault to retry: the kiosk sets it aside for a technician.
            logger.warning("receipt number already held by another request", metadata: [
                "kiosk.code": "\(kiosk)", "receipt.number": "\(submission.receiptNumber)", "centre.reference": "\(holder)",
            ])
            return SubmissionAnswer(status: 409, title: "Receipt number already held",
                                   detail: "receipt \(submission.receiptNumber) is already held by another request (\(holder)); "
                                       + "was the kiosk's database restored from an older copy?")
        case let .failure(error):
            logger.error("cannot store submission", metadata: ["error": "\(error)"])
            return SubmissionAnswer(status: 503, title: "Cannot store now", detail: "try again later")
        }
    }

    static func heartbeat(_ request: Request, code: String, peer: String, store: CenterStore, guards: Guards,
                          logger: Logger) async -> Response {
        let path = IntakePaths.heartbeat(code)
        let body: Data
        switch await authenticate(request, path: path, peer: peer, store: store, guards: guards) {
        case let .failure(response): return response
        case let .success(data, _): body = data
        }
        let signature = request.headers[HTTPField.Name(RequestSigner.signatureHeader)!] ?? ""
        guard let heartbeat = try? KioskHeartbeat.decode(body), heartbeat.kioskCode == code,
              request.headers[HTTPField.Name(RequestSigner.codeHeader)!] == code
        else { return problem(400, "Malformed heartbeat") }
        if let issue = heartbeat.problem() { return problem(422, "Invalid heartbeat", detail: issue) }
        do {
            guard try await store.recordHeartbeat(heartbeat, body: body, signature: signature) else {
                return problem(409, "Replayed heartbeat", detail: "this signed heartbeat was received before")
            }
            return Response(status: .noContent)
        } catch {
            return problem(503, "Cannot store now")
        }
    }

    enum Authenticated {
        /// The body, and the signer of the kiosk that sent it (to sign the answer).
        case success(Data, RequestSigner)
        case failure(Response)
    }

    /// The limiters one router shares across its requests.
    struct Guards: Sendable {
        let kiosks: RateLimiter
        let failures: RateLimiter
        let kioskFailures: RateLimiter

        init(_ limits: IntakeLimits) {
            kiosks = RateLimiter(limits.perKiosk)
            failures = RateLimiter(limits.failuresPerAddress)
            kioskFailures = RateLimiter(limits.failuresPerAddress)
        }
    }

    /// Media type, size limit, signature, kiosk registration and the
    /// timestamp window, then the kiosk's own rate. A request that fails
    /// spends its address's and its claimed kiosk's failure allowance, and is
    /// answered 429 once either is spent; one that verifies is never held
    /// back by them: behind one proxy (or one NAT) a flood of bad signatures
    /// must not shut out the genuine kiosks beside it. (So a spent address
    /// still costs the centre a signature check a request: bounded by the
    /// body limit and the listener's connection cap.)
    static func authenticate(_ request: Request, path: String, peer: String, store: CenterStore,
                             guards: Guards, maxBytes: Int = maxBodyBytes) async -> Authenticated {
        let outcome = await verify(request, path: path, store: store, maxBytes: maxBytes)
        switch outcome {
        case .failure:
            let claimed = String((request.headers[HTTPField.Name(RequestSigner.codeHeader)!] ?? "").prefix(32))
            let byAddress = guards.failures.take(peer), byKiosk = guards.kioskFailures.take(claimed)
            if let wait = byAddress ?? byKiosk {
                return .failure(tooMany(wait, detail: byAddress != nil ? "too many failed requests from this address"
                                                                        : "too many failed requests for this kiosk"))
            }
            return outcome
        case .success:
            let kiosk = request.headers[HTTPField.Name(RequestSigner.codeHeader)!] ?? ""
            if let wait = guards.kiosks.take(kiosk) {
                return .failure(tooMany(wait, detail: "too many requests from kiosk \(kiosk.prefix(12))"))
            }
            return outcome
        }
    }

    static func tooMany(_ wait: Duration, detail: String) -> Response {
        var response = problem(429, "Too many requests", detail: detail)
        response.headers[.retryAfter] = String(wait.retryAfterSeconds)
        return response
    }

    /// Media type, size limit, then signature, kiosk registration and the
    /// timestamp window.
    static func verify(_ request: Request, path: String, store: CenterStore, maxBytes: Int) async -> Authenticated {
        // JSON only (a charset parameter aside): nothing else is ever parsed.
        let mediaType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/json" else {
            return .failure(problem(415, "Unsupported media type", detail: "send application/json"))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collect(request, upTo: maxBytes, within: bodyTimeout)
        } catch is BodyTimeout {
            return .failure(problem(408, "Body too slow", detail: "send the body within \(bodyTimeout)"))
        } catch {
            return .failure(problem(413, "Body too large", detail: "at most \(maxBytes) bytes"))
        }
        let body = Data(buffer.readableBytesView)
        guard let code = request.headers[HTTPField.Name(RequestSigner.codeHeader)!],
              let stamp = request.headers[HTTPField.Name(RequestSigner.timestampHeader)!].flatMap({ Int64($0) }),
              let signature = request.headers[HTTPField.Name(RequestSigner.signatureHeader)!]
        else { return .failure(problem(401, "Unsigned request")) }
        let known: [UInt8]?
        do { known = try await store.secret(of: code) } catch {
            return .failure(problem(503, "Cannot check the kiosk now"))
        }
        guard let secret = known else { return .failure(problem(401, "Bad signature", detail: "unknown kiosk or wrong signature")) }
        let signer = RequestSigner(secret: secret)
        guard signer.verify(signature, method: "POST", path: path, timestamp: stamp, body: body)
        else { return .failure(problem(401, "Bad signature", detail: "unknown kiosk or wrong signature")) }
        // Only a kiosk that proved itself learns that its clock is off; the
        // fleet page shows it (the kiosk cannot deliver even a heartbeat).
        // In integers that saturate: the stamp is any Int64 a kiosk signed.
        let offset = WireNumbers.difference(stamp, WireNumbers.int64(saturating: Date().timeIntervalSince1970))
        guard offset.magnitude <= UInt64(RequestSigner.window) else {
            try? await store.noteClockRefused(kiosk: code, offsetSeconds: offset)
            return .failure(problem(401, "Stale request", detail: "timestamp outside ±300 s; check the kiosk's clock"))
        }
        return .success(body, signer)
    }

    struct BodyTimeout: Error {}

    /// The body, up to `maxBytes`, or `BodyTimeout` when it has not all
    /// arrived within `limit`.
    static func collect(_ request: Request, upTo maxBytes: Int, within limit: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer.self) { group in
            group.addTask { try await request.body.collect(upTo: maxBytes) }
            group.addTask {
                try await Task.sleep(for: limit)
                throw BodyTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// A body the protocol encoded itself (its dates as milliseconds).
    static func json(_ status: Int, encoded data: Data) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<T: Encodable>(_ status: Int, _ value: T) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(_ status: Int, _ title: String, detail: String? = nil) -> Response {
        let data = (try? JSONEncoder().encode(Problem(status: status, title: title, detail: detail))) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/problem+json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

