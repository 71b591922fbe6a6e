import Foundation

/// Several sealed submissions in one signed POST to
/// `/api/v1/submissions/batch`: `{"submissions": [SealedSubmission, …]}`.
/// One round trip, one signature and one commit carry the whole batch;
/// each submission still gets its own answer, exactly as
/// `POST /api/v1/submissions` would have given it (201, 200, 409, 422, 503),
/// so a kiosk records, sets aside or retries each on its own.
public enum SubmissionBatch {
    /// At most this many submissions in one batch.
    public static let maxCount = 64
    /// A batch body is at most this long (a single submission's limit is 64 KiB).
    public static let maxBodyBytes = 2 << 20

    /// The batch body around submissions each already encoded by
    /// `SealedSubmission.encoded()`: joined as they are, not encoded again.
    public static func body(_ encodedItems: [Data]) -> Data {
        var body = Data(#"{"submissions":["#.utf8)
        body.reserveCapacity(encodedItems.reduce(32) { $0 + $1.count + 1 })
        for (index, item) in encodedItems.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(item)
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }

    /// The submissions of a batch body; nil when it is not one (malformed,
    /// empty, over `maxCount`, or holding a submission that is not sealed).
    public static func decode(_ body: Data) -> [SealedSubmission]? {
        struct Wire: Decodable { var submissions: [SealedSubmission] }
        guard let wire = try? IntakeSubmission.decoder.decode(Wire.self, from: body),
              (1...maxCount).contains(wire.submissions.count),
              wire.submissions.allSatisfy({ $0.format == SealedSubmission.currentFormat })
        else { return nil }
        return wire.submissions
    }
}

/// The centre's answer to a batch (200): one result per submission, in the
/// order sent.
public struct SubmissionBatchAnswer: Codable, Sendable, Equatable {
    public var results: [Result]

    public init(results: [Result]) {
        self.results = results
    }

    /// What one submission of the batch came to. 200/201 carry the
    /// reference and its signed acknowledgement; anything else a problem's
    /// title and detail, as the single endpoint would have answered.
    public struct Result: Codable, Sendable, Equatable {
        public var submissionId: String
        public var status: Int
        public var reference: String?
        public var acknowledgement: String?
        public var title: String?
        public var detail: String?
        /// For a final refusal (4xx): `RequestSigner.refusal` over the id and the status.
        public var refusal: String?

        public init(submissionId: String, status: Int, reference: String? = nil, acknowledgement: String? = nil,
                    title: String? = nil, detail: String? = nil, refusal: String? = nil) {
            self.submissionId = submissionId
            self.status = status
            self.reference = reference
            self.acknowledgement = acknowledgement
            self.title = title
            self.detail = detail
            self.refusal = refusal
        }
    }
}
