import Foundation
import Hummingbird
import NIOCore

/// The partner API's answers: JSON (ISO 8601 dates) and RFC 9457 problems.
enum PartnerResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json<T: Encodable>(_ status: Int, _ value: T) -> Response {
        let data = (try? encoder.encode(value)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct Problem: Encodable {
        var type = "about:blank"
        var status: Int
        var title: String
        var detail: String?
    }

    static func problem(_ status: Int, _ title: String, detail: String? = nil) -> Response {
        let data = (try? encoder.encode(Problem(status: status, title: title, detail: detail))) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/problem+json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
