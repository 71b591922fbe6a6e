import Foundation
import Hummingbird
import NIOCore

/// The partner API's JSON answers (ISO 8601 dates); its problems are the intake's (`IntakeResponse.problem`).
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
}
