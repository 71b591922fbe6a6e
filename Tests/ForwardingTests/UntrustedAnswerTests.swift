import AsyncHTTPClient
import Foundation
import Hummingbird
import IntakeProtocol
import KioskDomain
@testable import KioskForwarder
import Logging
import NIOCore
import TestSupport
import Testing

/// A request counts as delivered only when the centre itself says so: a
/// redirect is never followed (it would carry the signed body elsewhere, even
/// from HTTPS to plain HTTP), and a 2xx without an acknowledgement signed with
/// the kiosk's secret is not delivery.
@Suite(.serialized) struct UntrustedAnswerTests {
    /// A loopback HTTP server answering every POST with `answer`; counts what it receives.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    final class LoopbackServer: Sendable {
        let received = Counter()
        let port: Int
        private let task: Task<Void, any Error>

        init(answer: @escaping @Sendable () -> Response) async {
            let router = Router()
            let received = self.received
            router.post("**") { request, _ in
                received.add()
                _ = try? await request.body.collect(upTo: 1 << 20)
                return answer()
            }
            var logger = Logger(label: "loopback")
            logger.logLevel = .critical
            (task, port) = await runOnLoopback(router, port: 0, logger: logger)
        }

        func stop() async {
            task.cancel()
            _ = await task.result
        }
    }

    /// A forwarder for a kiosk whose centre_url is `port`, and one queued request.
    func forwarder(port: Int) throws -> (Forwarder, KioskSide, CentreClient) {
        let kiosk = try KioskSide(centrePort: port, centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey, secret: RequestSigner.newSecret())
        try kiosk.submit(1)
        let client = try Forwarder.makeClient(kiosk.configuration.forwarder)
        var logger = Logger(label: "test-forwarder")
        logger.logLevel = .critical
        return (Forwarder(store: kiosk.store, settings: kiosk.configuration.forwarder,
                          kioskCode: kiosk.configuration.identity.kioskCode, secret: kiosk.secret, client: client,
                          logger: logger), kiosk, client)
    }

    @Test(arguments: [307, 308])
    func aRedirectIsNotFollowedAndTheRequestWaits(status: Int) async throws {
        // Elsewhere would accept anything, with a well-formed answer.
        let elsewhere = await LoopbackServer {
            Response(status: .created, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"reference":"R-1","acknowledgement":"v1=00"}"#)))
        }
        let centre = await LoopbackServer {
            Response(status: .init(code: status),
                     headers: [.location: "http://127.0.0.1:\(elsewhere.port)\(IntakePaths.submissions)"])
        }
        let (forwarder, kiosk, client) = try forwarder(port: centre.port)
        let submission = try #require(try kiosk.store.claim(limit: 1, leaseFor: .seconds(30)).first).sealed
        let outcome = await forwarder.post(submission)
        guard case let .retry(reason) = outcome else {
            Issue.record("a redirect must be an error to retry, not \(outcome)")
            return
        }
        #expect(reason.contains("redirect"), "\(reason)")
        #expect(centre.received.count == 1)
        #expect(elsewhere.received.count == 0, "the body never left for the redirect's target")
        try await client.shutdown()
        await centre.stop()
        await elsewhere.stop()
    }

    @Test func aTwoHundredWithoutTheCentresSignatureIsNotDelivery() async throws {
        for body in [#"{"reference":"R-1"}"#, #"{"reference":"R-1","acknowledgement":"v1=00"}"#] {
            let impostor = await LoopbackServer {
                Response(status: .created, headers: [.contentType: "application/json"],
                         body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            let (forwarder, kiosk, client) = try forwarder(port: impostor.port)
            try await confirmNotForwarded(forwarder, kiosk)
            try await client.shutdown()
            await impostor.stop()
        }
    }

    /// A 4xx without the centre's signed refusal (a proxy's 403 or 413, a
    /// wrong URL's 404, anyone on a plain-HTTP path) never sets a request
    /// aside: it waits to be sent again, and says why for the technician.
    @Test(arguments: [400, 403, 404, 409, 413, 422])
    func anUnsignedRefusalIsRetriedNeverFinal(status: Int) async throws {
        let proxy = await LoopbackServer {
            var response = Response(status: .init(code: status), headers: [.contentType: "application/problem+json"],
                                    body: .init(byteBuffer: ByteBuffer(string: #"{"status":\#(status),"title":"Refused"}"#)))
            // A refusal signed with a secret that is not this kiosk's counts for nothing either.
            if status == 422 {
                let id = UUID().uuidString.lowercased()
                response.headers[.init(RequestSigner.refusalHeader)!] = RequestSigner(secret: Array(repeating: 3, count: 32))
                    .refusal(submissionID: id, status: status)
            }
            return response
        }
        let (forwarder, kiosk, client) = try forwarder(port: proxy.port)
        let claims = try kiosk.store.claim(limit: 1, leaseFor: .seconds(30))
        _ = await forwarder.send(ClaimStream(claims))
        let summary = try kiosk.store.queueSummary()
        #expect(summary[.dead] == 0 && summary[.queued] == 1, "\(status) set the request aside")
        let waiting = try #require(try kiosk.store.records(in: .queued).first)
        #expect(waiting.lastError?.contains("without the centre's signature") == true, "\(waiting.lastError ?? "")")
        try await client.shutdown()
        await proxy.stop()
    }

    /// A progress page the centre did not sign for this very request is not
    /// kept: nobody on the path can show a resident a made-up "not eligible".
    @Test func anUnsignedProgressPageIsNotKept() async throws {
        let receipt = ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 1)
        let page = try ProgressPage(changes: [ProgressChange(id: 5, receiptNumber: receipt, state: .closed, at: Date(),
                                                             outcome: .notEligible)], more: false).encoded()
        let impostor = await LoopbackServer {
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: page)))
        }
        let (forwarder, kiosk, client) = try forwarder(port: impostor.port)
        await forwarder.fetchProgress()
        #expect(impostor.received.count == 1)
        #expect(try kiosk.store.progressCursor() == 0, "nothing of the page was kept")
        try await client.shutdown()
        await impostor.stop()
    }

    /// One pass of the forwarder's own loop: the request is back in the queue, not forwarded.
    func confirmNotForwarded(_ forwarder: Forwarder, _ kiosk: KioskSide) async throws {
        let claims = try kiosk.store.claim(limit: 1, leaseFor: .seconds(30))
        _ = await forwarder.send(ClaimStream(claims))
        let summary = try kiosk.store.queueSummary()
        #expect(summary[.forwarded] == 0 && summary[.queued] == 1)
        let waiting = try #require(try kiosk.store.records(in: .queued).first)
        #expect(waiting.lastError?.contains("not signed with this kiosk's secret") == true
                    || waiting.lastError?.contains("without a signed acknowledgement") == true, "\(waiting.lastError ?? "")")
    }
}
