import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import NIOCore

/// The intake API's answers: JSON bodies and RFC 9457 problems, never
/// personal data. The partner API on the same listener answers its problems so too.
package enum IntakeResponse {
    /// A body the protocol encoded itself (its dates as milliseconds).
    static func json(_ status: Int, encoded data: Data) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<T: Encodable>(_ status: Int, _ value: T) -> Response {
        json(status, encoded: (try? JSONEncoder().encode(value)) ?? Data())
    }

    package static func problem(_ status: Int, _ title: String, detail: String? = nil) -> Response {
        let data = (try? JSONEncoder().encode(Problem(status: status, title: title, detail: detail))) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/problem+json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    package static func tooMany(_ wait: Duration, detail: String) -> Response {
        var response = problem(429, "Too many requests", detail: detail)
        response.headers[.retryAfter] = String(wait.retryAfterSeconds)
        return response
    }
}
