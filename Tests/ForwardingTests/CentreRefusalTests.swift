import AsyncHTTPClient
import CentreIntake
import CentreOperations
import CentreTestSupport
import Foundation
import IntakeProtocol
import KioskStore
import NIOCore
import TestSupport
import Testing

/// The centre refuses what it must, and stores nothing from it (on either backend).
@Suite(.serialized) struct CentreRefusalTests {
    struct Setup {
        let centre: InProcessCentre
        let kiosk: KioskSide
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let body: Data
        let id: String
    }

    func setUp(_ backend: CenterBackend = .sqlite, limits: IntakeLimits = .standard) async throws -> Setup {
        let centre = try await InProcessCentre(state: try temporaryFolder("centre"), backend: backend, limits: limits)
        try await centre.start()
        let kiosk = try KioskSide(centrePort: centre.port, centreKey: centre.publicKey, secret: try await centre.store.addKiosk("JA0301"))
        let submission = try kiosk.submit(1)[0]
        return Setup(centre: centre, kiosk: kiosk, body: try IntakeSubmission(submission).encoded(),
                     id: submission.id.uuidString.lowercased())
    }

    func post(_ setup: Setup, body: Data, code: String = "JA0301", secret: [UInt8]? = nil,
              timestamp: Int64 = Int64(Date().timeIntervalSince1970), signed: Bool = true,
              path: String = IntakePaths.submissions, signedFor signedPath: String? = nil,
              contentType: String = "application/json") async throws -> (Int, String) {
        let answer = try await exchange(setup, body: body, code: code, secret: secret, timestamp: timestamp,
                                        signed: signed, path: path, signedFor: signedPath, contentType: contentType)
        return (answer.status, answer.contentType)
    }

    /// The genuine body with one change, as a tampered kiosk might send it (signed all the same).
    func altered(_ setup: Setup, _ change: (inout IntakeSubmission) -> Void) throws -> Data {
        var submission = try IntakeSubmission.decode(setup.body)
        change(&submission)
        return try submission.encoded()
    }

    /// One signed (or not) POST to `path`, signed for `signedPath` when
    /// given (a replay to another endpoint); the answer with its body.
    func exchange(_ setup: Setup, body: Data, code: String = "JA0301", secret: [UInt8]? = nil,
                  timestamp: Int64 = Int64(Date().timeIntervalSince1970), signed: Bool = true,
                  path: String = IntakePaths.submissions, signedFor signedPath: String? = nil,
                  contentType: String = "application/json", idempotencyKey: String? = nil)
        async throws -> (status: Int, contentType: String, body: String, retryAfter: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(setup.centre.port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: RequestSigner.idempotencyHeader, value: idempotencyKey ?? setup.id)
        if signed {
            let signer = RequestSigner(secret: secret ?? setup.kiosk.secret)
            request.headers.add(name: RequestSigner.codeHeader, value: code)
            request.headers.add(name: RequestSigner.timestampHeader, value: String(timestamp))
            request.headers.add(name: RequestSigner.signatureHeader,
                                value: signer.signature(method: "POST", path: signedPath ?? path, timestamp: timestamp, body: body))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await setup.client.execute(request, timeout: .seconds(10))
        // Read to the end before the connection is reused.
        let answer = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), response.headers.first(name: "Content-Type") ?? "", answer,
                response.headers.first(name: "Retry-After"))
    }

    /// A heartbeat captured on the wire and sent again within the window is
    /// refused, not stored again; and only a kiosk that signs correctly is
    /// told its clock is off.
    @Test(arguments: CenterBackend.allCases) func aReplayedHeartbeatIsRefusedAndClockAdviceNeedsAValidSignature(_ backend: CenterBackend) async throws {
        let setup = try await setUp(backend)
        let path = IntakePaths.heartbeat("JA0301")
        let heartbeat = try KioskHeartbeat(kioskCode: "JA0301", sentAt: Date(), version: "test", queueDepth: 0,
                                           oldestPendingSeconds: nil, deadCount: 0, printerState: "ready",
                                           lastScreenRender: nil).encoded()
        let stamp = Int64(Date().timeIntervalSince1970)
        #expect(try await post(setup, body: heartbeat, timestamp: stamp, path: path).0 == 204)
        for _ in 0..<3 {
            #expect(try await post(setup, body: heartbeat, timestamp: stamp, path: path).0 == 409)
        }
        #expect(try await setup.centre.store.heartbeatCount(kiosk: "JA0301") == 1)

        let old = stamp - 3600
        let stranger = try await exchange(setup, body: heartbeat, secret: Array(repeating: 7, count: 32), timestamp: old,
                                          path: path)
        #expect(stranger.status == 401 && !stranger.body.contains("clock"), "a stranger learns nothing: \(stranger.body)")
        #expect(try await setup.centre.store.fleetKiosk("JA0301")?.health == .ok, "nor does a stranger mark the kiosk's clock")
        let skewed = try await exchange(setup, body: heartbeat, timestamp: old, path: path)
        #expect(skewed.status == 401 && skewed.body.contains("clock"), "the kiosk itself is told: \(skewed.body)")
        // The fleet page shows the technician why the kiosk cannot deliver.
        let fleet = try #require(try await setup.centre.store.fleetKiosk("JA0301"))
        guard case let .clockRefused(offset) = fleet.problems.first else {
            Issue.record("no refused clock on the fleet page: \(fleet.problems)")
            return
        }
        #expect(fleet.health == .down && (-3605 ... -3595).contains(offset), "\(offset)")
        try await setup.client.shutdown()
        await setup.centre.stop()
    }

    @Test(arguments: CenterBackend.allCases) func refusesUnsignedForgedReplayedUnknownOversizeAndMalformed(_ backend: CenterBackend) async throws {
        let setup = try await setUp(backend)
        defer { Task { try? await setup.client.shutdown() } }
        let cases: [(String, Int, () async throws -> (Int, String))] = [
            ("unsigned", 401, { try await post(setup, body: setup.body, signed: false) }),
            ("wrong key", 401, { try await post(setup, body: setup.body, secret: Array(repeating: 1, count: 32)) }),
            ("replayed, old timestamp", 401, {
                try await post(setup, body: setup.body, timestamp: Int64(Date().timeIntervalSince1970) - 3600)
            }),
            ("unknown kiosk", 401, { try await post(setup, body: setup.body, code: "ZZ9999") }),
            ("oversize", 413, { try await post(setup, body: Data(repeating: 0x20, count: 200_000)) }),
            ("malformed JSON", 400, { try await post(setup, body: Data("{\"submissionId\": 12".utf8)) }),
            ("body from another kiosk", 422, {
                var other = try IntakeSubmission.decode(setup.body)
                other.kioskCode = "ZZ9999"
                return try await post(setup, body: try other.encoded())
            }),
            // What no kiosk could have sent, by the kiosk's own rules.
            ("ESC in the resident ID", 422, { try await post(setup, body: try altered(setup) { $0.applicant.residentId = "\u{1B}]0;x\u{07}" }) }),
            ("bidi override in a reason", 422, { try await post(setup, body: try altered(setup) { $0.hardship.reasons = ["score\u{202E}"] }) }),
            ("a 20,000-character story", 422, { try await post(setup, body: try altered(setup) { $0.description = String(repeating: "难", count: 20_000) }) }),
            ("a name with surrounding spaces", 422, { try await post(setup, body: try altered(setup) { $0.applicant.name = " 王明 " }) }),
            ("receipt number in lower case", 422, { try await post(setup, body: try altered(setup) { $0.receiptNumber = $0.receiptNumber.lowercased() }) }),
            ("receipt number padded", 422, { try await post(setup, body: try altered(setup) { $0.receiptNumber += " " }) }),
            ("not a phone number", 422, { try await post(setup, body: try altered(setup) { $0.applicant.phone = "12345" }) }),
            ("an invalid resident ID", 422, { try await post(setup, body: try altered(setup) { $0.applicant.residentId = "110105194912310021" }) }),
            ("form data", 415, { try await post(setup, body: setup.body, contentType: "application/x-www-form-urlencoded") }),
        ]
        for (name, expected, send) in cases {
            let (status, type) = try await send()
            #expect(status == expected, "\(name)")
            #expect(type == "application/problem+json", "\(name)")
        }
        #expect(try await setup.centre.store.submissionCounts().total == 0)

        // The genuine request is then accepted once, and a resend gets the same answer.
        #expect(try await post(setup, body: setup.body).0 == 201)
        #expect(try await post(setup, body: setup.body).0 == 200)
        #expect(try await setup.centre.store.submissionCounts().total == 1)
        try await setup.client.shutdown()
        await setup.centre.stop()
    }

    /// A new request id with a receipt number the centre already holds (a
    /// kiosk restored from an old backup numbers again from an old count):
    /// 409 with the reason, nothing stored, so the kiosk sets it aside
    /// instead of retrying for ever (it was 503 when a unique index failed).
    @Test(arguments: CenterBackend.allCases) func aSecondRequestWithAHeldReceiptNumberIsRefusedWithTheReason(_ backend: CenterBackend) async throws {
        let setup = try await setUp(backend)
        #expect(try await post(setup, body: setup.body).0 == 201)
        let newID = UUID()
        let clash = try altered(setup) { $0.submissionId = newID }
        let answer = try await exchange(setup, body: clash, idempotencyKey: newID.uuidString.lowercased())
        #expect(answer.status == 409 && answer.body.contains("already held by another request"), "\(answer.body)")
        #expect(try await setup.centre.store.submissionCounts().total == 1)
        try await setup.client.shutdown()
        await setup.centre.stop()
    }

    /// The sealed form as the forwarder sends it: opened at the centre, and
    /// refused whole if a plain field was edited on the kiosk after sealing.
    @Test(arguments: CenterBackend.allCases) func aSealedRequestWithAnEditedLevelIsRefusedAndTheGenuineOneStored(_ backend: CenterBackend) async throws {
        let setup = try await setUp(backend)
        let genuine = try #require(try setup.kiosk.store.sealedSubmission(id: UUID(uuidString: setup.id)!))
        var edited = genuine
        edited.hardship = genuine.hardship == "red" ? "green" : "red"
        let refused = try await exchange(setup, body: try edited.encoded())
        #expect(refused.status == 422 && refused.body.contains("does not open"), "\(refused.body)")
        #expect(!refused.body.contains("欧阳") && !refused.body.contains("居民"), "no personal data in the answer")
        #expect(try await setup.centre.store.submissionCounts().total == 0)

        #expect(try await post(setup, body: try genuine.encoded()).0 == 201)
        // The same request in the plain form of a kiosk before its upgrade is the same request.
        #expect(try await post(setup, body: setup.body).0 == 200)
        #expect(try await setup.centre.store.submissionCounts().total == 1)
        try await setup.client.shutdown()
        await setup.centre.stop()
    }

    /// Several requests in one signed POST: each is answered as the single
    /// endpoint would have answered it (a resend 200, a new one 201, an
    /// edited one 422), each acknowledgement signed for its own id; what
    /// would refuse every request in it refuses the batch as a whole.
    @Test(arguments: CenterBackend.allCases) func aBatchAnswersEachOfItsRequestsOnItsOwn(_ backend: CenterBackend) async throws {
        let setup = try await setUp(backend)
        let ids = [UUID(uuidString: setup.id)!] + (try setup.kiosk.submit(3)).map(\.id)
        let sealed = try ids.map { try #require(try setup.kiosk.store.sealedSubmission(id: $0)) }
        #expect(try await post(setup, body: try sealed[0].encoded()).0 == 201)
        var edited = sealed[2]
        edited.hardship = edited.hardship == "red" ? "green" : "red"
        let items = [sealed[0], sealed[1], edited, sealed[3]]

        let answer = try await exchange(setup, body: SubmissionBatch.body(try items.map { try $0.encoded() }),
                                        path: IntakePaths.submissionBatch)
        #expect(answer.status == 200 && answer.contentType == "application/json")
        let results = try JSONDecoder().decode(SubmissionBatchAnswer.self, from: Data(answer.body.utf8)).results
        #expect(results.map(\.submissionId) == items.map { $0.submissionId.uuidString.lowercased() })
        #expect(results.map(\.status) == [200, 201, 422, 201])
        #expect(results[2].title == "Sealed part does not open" && results[2].reference == nil)
        let signer = RequestSigner(secret: setup.kiosk.secret)
        for result in results where result.status < 300 {
            #expect(signer.verifyAcknowledgement(result.acknowledgement ?? "", submissionID: result.submissionId,
                                                 reference: result.reference ?? ""))
        }
        #expect(!answer.body.contains("居民"), "no personal data in the answer")
        #expect(try await setup.centre.store.submissionCounts().total == 3)

        let good = try sealed[1].encoded()
        let plain = try IntakeSubmission.decode(setup.body).encoded()
        let batch = IntakePaths.submissionBatch
        let cases: [(String, Int, () async throws -> (Int, String))] = [
            ("unsigned", 401, { try await post(setup, body: SubmissionBatch.body([good]), signed: false, path: batch) }),
            ("signed for the single path", 401, {
                try await post(setup, body: SubmissionBatch.body([good]), path: batch, signedFor: IntakePaths.submissions)
            }),
            ("not a batch", 400, { try await post(setup, body: good, path: batch) }),
            ("an empty batch", 400, { try await post(setup, body: SubmissionBatch.body([]), path: batch) }),
            ("65 in one batch", 400, { try await post(setup, body: SubmissionBatch.body(Array(repeating: good, count: 65)), path: batch) }),
            ("a plain request in a batch", 400, { try await post(setup, body: SubmissionBatch.body([plain]), path: batch) }),
            ("over 2 MiB", 413, { try await post(setup, body: Data(repeating: 0x20, count: 3 << 20), path: batch) }),
        ]
        for (name, expected, send) in cases {
            let (status, type) = try await send()
            #expect(status == expected, "\(name)")
            #expect(type == "application/problem+json", "\(name)")
        }
        #expect(try await setup.centre.store.submissionCounts().total == 3)
        try await setup.client.shutdown()
        await setup.centre.stop()
    }

    /// One address that keeps failing to authenticate, and one kiosk that
    /// sends too much, are answered 429 with Retry-After; the rest go on,
    /// and a request that verifies is never held back by failures.
    @Test func repeatedFailuresFromAnAddressAndFloodsFromAKioskAreAnswered429() async throws {
        let tight = RateLimiter.Rule(burst: 3, perSecond: 0.01)
        let setup = try await setUp(limits: IntakeLimits(perKiosk: .init(burst: 1_000, perSecond: 100), failuresPerAddress: tight))
        for _ in 0..<3 {
            #expect(try await post(setup, body: setup.body, secret: Array(repeating: 1, count: 32)).0 == 401)
        }
        let blocked = try await exchange(setup, body: setup.body, secret: Array(repeating: 1, count: 32))
        #expect(blocked.status == 429 && (Int(blocked.retryAfter ?? "") ?? 0) >= 1, "\(blocked)")
        // Another kiosk at the same address (behind the same NAT or proxy) that signs correctly is served.
        #expect(try await exchange(setup, body: setup.body).status == 201)
        #expect(try await setup.centre.store.submissionCounts().total == 1)
        try await setup.client.shutdown()
        await setup.centre.stop()

        let kiosk = try await setUp(limits: IntakeLimits(perKiosk: tight, failuresPerAddress: .init(burst: 30, perSecond: 1)))
        let path = IntakePaths.heartbeat("JA0301")
        for index in 0..<3 {
            let heartbeat = try KioskHeartbeat(kioskCode: "JA0301", sentAt: Date(), version: "test", queueDepth: index,
                                               oldestPendingSeconds: nil, deadCount: 0, printerState: "ready",
                                               lastScreenRender: nil).encoded()
            #expect(try await post(kiosk, body: heartbeat, path: path).0 == 204)
        }
        let flooded = try await exchange(kiosk, body: setup.body)
        #expect(flooded.status == 429 && flooded.body.contains("JA0301") && flooded.retryAfter != nil, "\(flooded)")
        try await kiosk.client.shutdown()
        await kiosk.centre.stop()
    }
}
