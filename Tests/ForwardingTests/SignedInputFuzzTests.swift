import AsyncHTTPClient
import Foundation
import IntakeProtocol
import KioskDomain
import KioskStore
import NIOCore
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A kiosk's secret in the wrong hands (a stolen kiosk, broken firmware)
/// signs whatever numbers it likes. Against the real `kiosk-center serve`:
/// every numeric field and header of every intake call set in turn to the
/// numbers that break careless arithmetic; each is answered below 500 (4xx
/// when the number is not one the field can hold), and afterwards the
/// centre is still up and stores a genuine request.
@Suite(.serialized) struct SignedInputFuzzTests {
    /// The numbers each field is set to, as JSON (or header) text.
    static let hostile = [
        "-9223372036854775808", "9223372036854775807", "9007199254740992", "-9007199254740992",
        "4611686018427387904", "-4611686018427387904", "1e308", "-0", String(repeating: "9", count: 400),
    ]

    struct NoAnswer: Error, CustomStringConvertible { let description: String }

    struct Centre {
        let process: CenterProcess
        let kiosk: KioskSide
        let client = HTTPClient(eventLoopGroupProvider: .singleton)

        func post(_ path: String, body: Data, timestamp: String? = nil, idempotencyKey: String? = nil)
            async throws -> Int {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(process.port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            let stamp = timestamp ?? String(Int64(Date().timeIntervalSince1970))
            request.headers.add(name: RequestSigner.codeHeader, value: "JA0301")
            request.headers.add(name: RequestSigner.timestampHeader, value: stamp)
            if let idempotencyKey { request.headers.add(name: RequestSigner.idempotencyHeader, value: idempotencyKey) }
            // A stamp that is no Int64 cannot be signed; it is sent with a signature over 0.
            let signed = Int64(stamp) ?? 0
            request.headers.add(name: RequestSigner.signatureHeader, value: RequestSigner(secret: kiosk.secret)
                .signature(method: "POST", path: path, timestamp: signed, body: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(20))
                _ = try await response.body.collect(upTo: 1 << 20)
                return Int(response.status.code)
            } catch {
                // A dropped connection is what a crash looks like from outside: say which request.
                throw NoAnswer(description: "POST \(path) with Kiosk-Timestamp \(stamp.prefix(24)) and "
                    + "\(body.count) bytes got no answer (\(error)): \(String(decoding: body.prefix(300), as: UTF8.self))")
            }
        }

        /// The centre process has not died.
        var alive: Bool { process.pid.map { kill($0, 0) == 0 } ?? false }
    }

    func start() async throws -> Centre {
        let process = try CenterProcess(state: try temporaryFolder("centre-fuzz"))
        let secret = try process.addKiosk("JA0301")
        let kiosk = try KioskSide(centrePort: process.port, centreKey: process.publicKey, secret: secret)
        return Centre(process: process, kiosk: kiosk)
    }

    /// `body` (JSON) with the value at `path` replaced by the raw JSON text `literal`.
    static func replacing(_ path: [String], in body: Data, with literal: String) throws -> Data {
        let marker = "__fuzz_marker__"
        func set(_ value: Any, _ path: ArraySlice<String>) -> Any {
            guard let key = path.first else { return marker }
            if var list = value as? [Any], let index = Int(key) {
                list[index] = set(list[index], path.dropFirst())
                return list
            }
            var map = value as? [String: Any] ?? [:]
            map[key] = set(map[key] as Any, path.dropFirst())
            return map
        }
        let changed = set(try JSONSerialization.jsonObject(with: body), path[...])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: changed), as: UTF8.self)
        return Data(text.replacingOccurrences(of: "\"\(marker)\"", with: literal).utf8)
    }

    /// Whether `literal` is a whole number in `range` (what the field can hold).
    static func holds(_ literal: String, _ range: ClosedRange<Int64>) -> Bool {
        Int64(literal).map(range.contains) ?? false
    }

    /// One field set in turn to every hostile number: never an answer of
    /// 500 or more, never a dropped connection; a 4xx for a number outside `range`.
    func fuzz(_ centre: Centre, path: String, body: @escaping () throws -> Data, field: [String],
              range: ClosedRange<Int64>, idempotencyKey: String? = nil) async throws {
        for literal in Self.hostile {
            let altered = try Self.replacing(field, in: try body(), with: literal)
            let status = try await centre.post(path, body: altered, idempotencyKey: idempotencyKey)
            #expect(status < 500, "\(path) \(field.joined(separator: ".")) = \(literal.prefix(24)): \(status)")
            if !Self.holds(literal, range) {
                #expect((400..<500).contains(status), "\(path) \(field.joined(separator: ".")) = \(literal.prefix(24)): \(status)")
            }
            try #require(centre.alive, "the centre died on \(field.joined(separator: ".")) = \(literal.prefix(24))")
        }
    }

    @Test func everyHostileNumberIsRefusedAndTheCentreStaysUp() async throws {
        let centre = try await start()
        defer { _ = centre.client.shutdown() }
        let milliseconds = WireNumbers.millisecondRange
        let counts: ClosedRange<Int64> = 0...Int64(KioskHeartbeat.maxCount)

        // The signing timestamp: anything outside ±300 s is a 401, however far.
        let now = Int64(Date().timeIntervalSince1970)
        let beat = try KioskHeartbeat(kioskCode: "JA0301", sentAt: Date(), version: "test", queueDepth: 0,
                                      oldestPendingSeconds: 1, deadCount: 0, printerState: "ready",
                                      lastScreenRender: Date(), intervalSeconds: 60,
                                      health: .init(overall: "ok", problems: [], roles: ["front": .init(up: true, state: "running")],
                                                    oldestRedPendingSeconds: 1, lastForward: Date(), printerReasons: [],
                                                    databaseCheck: "ok", diskFreeBytes: 1, diskTotalBytes: 2)).encoded()
        let heartbeatPath = IntakePaths.heartbeat("JA0301")
        for stamp in Self.hostile + [String(now + (1 << 62)), String(now - (1 << 62)), String(now + 900), String(now - 900)] {
            let status = try await centre.post(heartbeatPath, body: beat, timestamp: stamp)
            #expect(status == 401, "Kiosk-Timestamp \(stamp.prefix(24)): \(status)")
            try #require(centre.alive, "the centre died on Kiosk-Timestamp \(stamp.prefix(24))")
        }

        // Every number in a heartbeat.
        for (field, range) in [(["sentAt"], milliseconds), (["queueDepth"], counts), (["oldestPendingSeconds"], counts),
                               (["deadCount"], counts), (["lastScreenRender"], milliseconds),
                               (["intervalSeconds"], 1...Int64(KioskHeartbeat.maxIntervalSeconds)),
                               (["health", "oldestRedPendingSeconds"], counts), (["health", "lastForward"], milliseconds),
                               (["health", "diskFreeBytes"], 0...Int64.max), (["health", "diskTotalBytes"], 0...Int64.max)] {
            try await fuzz(centre, path: heartbeatPath, body: { beat }, field: field, range: range)
        }

        // Every number in a submission, alone (plain, as older kiosks send it) and in a batch (sealed).
        let plain = try IntakeSubmission(try centre.kiosk.submit(1)[0])
        let plainBody = try plain.encoded()
        for (field, range) in [(["createdAt"], milliseconds), (["consent", "givenAt"], milliseconds),
                               (["applicant", "householdSize"], 1...20), (["hardship", "scores", "economic"], -10_000...10_000)] {
            try await fuzz(centre, path: IntakePaths.submissions, body: { plainBody }, field: field, range: range,
                           idempotencyKey: plain.submissionId.uuidString.lowercased())
        }
        let claimed = try centre.kiosk.store.claim(limit: 1, leaseFor: .seconds(600))
        let batch = SubmissionBatch.body([try #require(claimed.first).sealed.encoded()])
        for field in [["submissions", "0", "createdAt"], ["submissions", "0", "consent", "givenAt"]] {
            try await fuzz(centre, path: IntakePaths.submissionBatch, body: { batch }, field: field, range: milliseconds)
        }

        // A progress query's cursor and page size.
        let query = try ProgressQuery(kioskCode: "JA0301", after: 0, limit: 10).encoded()
        let progress = IntakePaths.progress("JA0301")
        try await fuzz(centre, path: progress, body: { query }, field: ["after"], range: 0...Int64.max)
        try await fuzz(centre, path: progress, body: { query }, field: ["limit"], range: 1...Int64(ProgressQuery.maxLimit))

        // Content-Length that no body matches: a 4xx or a closed connection, never the process.
        for length in ["99999999999999999999999", "-1", "18446744073709551616", "9223372036854775807", "1e308", "65537"] {
            let connection = try RawConnection(port: centre.process.port)
            connection.send("POST \(IntakePaths.submissions) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(length)\r\n\r\n{}")
            let answer = connection.readAll()
            if let status = httpStatus(ofAnswer: answer) {
                #expect((400..<500).contains(status), "Content-Length \(length): \(status)")
            }
            try #require(centre.alive, "the centre died on Content-Length \(length)")
        }

        // Still up, and still storing what a genuine kiosk sends.
        #expect(try await centre.post(heartbeatPath, body: try KioskHeartbeat(
            kioskCode: "JA0301", sentAt: Date(), version: "test", queueDepth: 0, oldestPendingSeconds: nil, deadCount: 0,
            printerState: "ready", lastScreenRender: nil).encoded()) == 204)
        let fresh = try IntakeSubmission(try centre.kiosk.submit(1)[0])
        #expect(try await centre.post(IntakePaths.submissions, body: try fresh.encoded(),
                                      idempotencyKey: fresh.submissionId.uuidString.lowercased()) == 201)
        let log = try String(contentsOf: centre.process.log, encoding: .utf8)
        #expect(!log.contains("Fatal error"), "\(log.suffix(2000))")
    }
}
