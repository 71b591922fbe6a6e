import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskMetrics
import KioskStore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceNotify
import Synchronization

/// Sending: requests claimed from the queue, posted alone or in batches,
/// each answer judged and recorded.
extension Forwarder {
    /// What one drain came to.
    struct Turn: Sendable, Equatable {
        var sent = 0
        var forwarded = 0
        /// An answer that may pass later (the centre may be down).
        var transient = false
    }

    /// Sends what is due until nothing is, at most `concurrency` in flight,
    /// claiming more as slots free, so one slow request holds one slot and
    /// nothing else. Each answer is recorded as it arrives. A probe sends one
    /// request. Stops sending at a transient answer or a stop; what was
    /// claimed and not sent goes back to the queue.
    func drain(probing: Bool) async -> Turn {
        let lease = settings.concurrency * max(8, settings.batchSize)
        return await send(ClaimStream(batch: probing ? 1 : lease, once: probing) { [self] in claim(limit: $0) })
    }

    /// Sends what `claims` hands out, up to `batchSize` in one POST and at
    /// most `concurrency` POSTs in flight.
    func send(_ claims: ClaimStream) async -> Turn {
        let turn = await withTaskGroup(of: [Outcome].self) { group in
            var turn = Turn()
            var inFlight = 0
            while true {
                while inFlight < settings.concurrency, !stop.isSet, !turn.transient {
                    let batch = claims.next(upTo: settings.batchSize)
                    if batch.isEmpty { break }
                    group.addTask {
                        let outcomes = await self.post(batch)
                        for (claim, outcome) in zip(batch, outcomes) {
                            self.answers.record(claim, outcome, backoff: self.backoff(attempt: claim.record.attempts))
                            Self.count(outcome)
                        }
                        return outcomes
                    }
                    inFlight += 1
                    turn.sent += batch.count
                }
                guard inFlight > 0, let outcomes = await group.next() else { break }
                inFlight -= 1
                // Each answer (or timeout) is the loop moving: a hanging
                // request pings once per HTTP timeout.
                loopTurned()
                heartbeatIfDue()
                for outcome in outcomes {
                    switch outcome {
                    case .forwarded: turn.forwarded += 1
                    case .retry: turn.transient = true
                    case .refused: break
                    }
                }
            }
            return turn
        }
        // What this turn learnt is in the queue before the loop decides on it.
        answers.flush()
        // Claimed but not sent (a stop, or the centre went away): back as they were.
        do { try store.returnClaims(claims.rest().map(\.record.id)) } catch {
            logger.error("cannot return claims", metadata: ["error": "\(error)"])
        }
        return turn
    }

    /// The label a POST is counted under: no kiosk code or id, the path's kind only.
    static func endpointName(_ path: String) -> String {
        switch path {
        case IntakePaths.submissions: "submission"
        case IntakePaths.submissionBatch: "batch"
        default: path.hasSuffix("/heartbeat") ? "heartbeat" : "progress"
        }
    }

    /// Each request's answer, counted by outcome (a refused one is set aside: dead).
    static func count(_ outcome: Outcome) {
        switch outcome {
        case .forwarded: KioskMetric.forwardRequests.counter([("outcome", "forwarded")]).increment()
        case .retry: KioskMetric.forwardRequests.counter([("outcome", "retry")]).increment()
        case .refused:
            KioskMetric.forwardRequests.counter([("outcome", "refused")]).increment()
            KioskMetric.requestsDead.counter().increment()
        }
    }

    /// Leases due requests; nothing when the queue cannot be read (logged,
    /// the loop waits and tries again).
    func claim(limit: Int) -> [Claim] {
        do {
            return try store.claim(limit: limit, leaseFor: settings.timeout * 3 + .seconds(30))
        } catch {
            logger.error("cannot claim from the queue", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Sends requests together in one batch POST, or one at a time to a
    /// centre that does not take batches (or refused this one as a whole,
    /// so that each gets an answer of its own). One outcome per request,
    /// in order.
    public func post(_ claims: [Claim]) async -> [Outcome] {
        if claims.count > 1, batchesTaken, let outcomes = await postBatch(claims.map(\.sealed)) { return outcomes }
        var outcomes: [Outcome] = []
        for claim in claims {
            let outcome = await post(claim.sealed)
            outcomes.append(outcome)
            // The centre is away: the rest wait for the next turn rather than each time out.
            if case .retry = outcome {
                outcomes += Array(repeating: outcome, count: claims.count - outcomes.count)
                break
            }
        }
        return outcomes
    }

    /// One signed POST of several requests; nil when they should go one at
    /// a time instead (the centre predates batches, refused the batch as a
    /// whole, or it would be too large).
    func postBatch(_ submissions: [SealedSubmission]) async -> [Outcome]? {
        guard let encoded = try? submissions.map({ try $0.encoded() }) else { return nil }
        let body = SubmissionBatch.body(encoded)
        guard body.count <= SubmissionBatch.maxBodyBytes else { return nil }
        let ids = submissions.map { $0.submissionId.uuidString.lowercased() }
        do {
            let (status, answer, _, _) = try await signedPost(path: IntakePaths.submissionBatch, body: body, idempotencyKey: nil)
            switch status {
            case 200:
                guard let results = try? JSONDecoder().decode(SubmissionBatchAnswer.self, from: answer).results else {
                    return ids.map { _ in .retry(reason: "centre answered the batch without results") }
                }
                let byID = Dictionary(results.map { ($0.submissionId, $0) }, uniquingKeysWith: { first, _ in first })
                return ids.map { id in
                    guard let result = byID[id] else { return .retry(reason: "centre's answer to the batch left this request out") }
                    let receipt = result.reference.flatMap { reference in
                        result.acknowledgement.map { IntakeReceipt(reference: reference, acknowledgement: $0) }
                    }
                    return judge(result.status, receipt: receipt, detail: result.detail ?? result.title ?? "no detail",
                                 submissionID: id, refusal: result.refusal)
                }
            case 404, 405:
                refuseBatchesForAWhile(status)
                return nil
            case 300..<400, 401, 408, 429, 500...:
                // Whatever it is holds for each request of the batch.
                let outcome = judge(status, receipt: nil, detail: Self.detail(answer), submissionID: "")
                return ids.map { _ in outcome }
            default:
                logger.warning("centre refused a batch as a whole: sending its requests one at a time",
                               metadata: ["http.status": "\(status)", "batch.size": "\(submissions.count)"])
                return nil
            }
        } catch {
            return ids.map { _ in .retry(reason: "cannot reach the centre: \(Self.describe(error))") }
        }
    }

    /// A centre before batches answers 404 for their path: one request at a
    /// time for the next ten minutes (it may be upgraded meanwhile).
    func refuseBatchesForAWhile(_ status: Int) {
        let first = batchesRefusedUntil.withLock { until in
            defer { until = ContinuousClock.now + .seconds(600) }
            return until == nil
        }
        if first {
            logger.notice("centre does not take batches: sending one request at a time",
                          metadata: ["http.status": "\(status)"])
        }
    }

    private var batchesTaken: Bool {
        batchesRefusedUntil.withLock { until in until.map { ContinuousClock.now >= $0 } ?? true }
    }

    /// One signed POST of one request: its plain fields and its envelope as
    /// stored (the forwarder cannot open it).
    public func post(_ submission: SealedSubmission) async -> Outcome {
        let body: Data
        do { body = try submission.encoded() } catch {
            return .refused(reason: "cannot encode the request: \(error)")
        }
        let id = submission.submissionId.uuidString.lowercased()
        do {
            let (status, answer, signatures, _) = try await signedPost(path: IntakePaths.submissions, body: body, idempotencyKey: id)
            let receipt = (200..<300).contains(status) ? try? JSONDecoder().decode(IntakeReceipt.self, from: answer) : nil
            return judge(status, receipt: receipt, detail: Self.detail(answer), submissionID: id,
                         refusal: signatures[RequestSigner.refusalHeader.lowercased()])
        } catch {
            return .retry(reason: "cannot reach the centre: \(Self.describe(error))")
        }
    }

    /// What the centre's answer to one request means, alone or in a batch.
    /// A 4xx sets the request aside only with the centre's signed refusal
    /// (`refusal`): anything that answers in the centre's place (a proxy's
    /// 403, 404 or 413; anyone on a plain-HTTP path) cannot make a request
    /// dead, only delay it, and the reason says so for the technician.
    func judge(_ status: Int, receipt: IntakeReceipt?, detail: String, submissionID: String,
               refusal: String? = nil) -> Outcome {
        switch status {
        case 200, 201:
            guard let receipt else { return .retry(reason: "centre answered \(status) without a signed acknowledgement") }
            // Only the centre holds this kiosk's secret: anything else that
            // answers 2xx (a proxy, a wrong URL) has not stored the request.
            guard signer.verifyAcknowledgement(receipt.acknowledgement, submissionID: submissionID, reference: receipt.reference)
            else { return .retry(reason: "centre answered \(status) with an acknowledgement not signed with this kiosk's secret") }
            return .forwarded(reference: receipt.reference)
        case 300..<400:
            return .retry(reason: "centre answered \(status) (a redirect, not followed): check forwarder.centre_url")
        case 401, 408, 429:
            return .retry(reason: "centre answered \(status): \(detail)")
        case 400..<500:
            guard let refusal, signer.verifyRefusal(refusal, submissionID: submissionID, status: status) else {
                return .retry(reason: "answered \(status) without the centre's signature (a proxy or a wrong centre_url?): \(detail)")
            }
            return .refused(reason: "centre refused with \(status): \(detail)")
        default:
            return .retry(reason: "centre answered \(status)")
        }
    }

    /// The status, the body, the answer's signature headers (lower-case
    /// names) and the timestamp this request was signed with.
    func signedPost(path: String, body: Data, idempotencyKey: String?) async throws
        -> (status: Int, body: Data, signatures: [String: String], timestamp: Int64) {
        let started = ContinuousClock.now
        let endpoint = [("endpoint", Self.endpointName(path))]
        KioskMetric.forwardPosts.counter(endpoint).increment()
        defer { KioskMetric.forwardDuration.timer(endpoint).record(duration: ContinuousClock.now - started) }
        let timestamp = Int64(Date().timeIntervalSince1970)
        var headers = [("Content-Type", "application/json"), (RequestSigner.codeHeader, kioskCode),
                       (RequestSigner.timestampHeader, String(timestamp)),
                       (RequestSigner.signatureHeader,
                        signer.signature(method: "POST", path: path, timestamp: timestamp, body: body))]
        if let idempotencyKey { headers.append((RequestSigner.idempotencyHeader, idempotencyKey)) }
        let answer = try await client.post(path: basePath + path, headers: headers, body: Array(body))
        return (answer.status, answer.body, answer.signatures, timestamp)
    }
}
