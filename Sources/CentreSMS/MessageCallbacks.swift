import CentreStore
import Foundation
import Hummingbird
import Logging

/// Where the gateway reaches the centre on the intake listener: delivery
/// reports (`/sms/dlr`, each address signed for its own message) and
/// residents' replies (`/sms/mo`, the address signed once:
/// `kiosk-center sms reply-url` prints it for Kannel's configuration).
/// Anything unsigned is 403 and changes nothing.
public struct MessageCallbacks<Context: RequestContext>: Sendable {
    let store: CenterStore
    let logger: Logger

    public init(store: CenterStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("sms/dlr") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard let id = query["id"].flatMap({ Int64(String($0)) }), id > 0,
                  store.messageKeys.callbackIsGenuine(messageID: id, signature: String(query["sig"] ?? "")) else {
                return Response(status: .forbidden)
            }
            guard let status = query["status"].flatMap({ Int(String($0)) }) else { return Response(status: .badRequest) }
            let known = try await store.recordDeliveryReport(messageID: id, status: status)
            logger.info("delivery report", metadata: ["message.id": "\(id)", "report.status": "\(status)"])
            return Response(status: known ? .ok : .notFound)
        }
        router.get("sms/mo") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard store.messageKeys.callbackIsGenuine(messageID: 0, signature: String(query["sig"] ?? "")) else {
                return Response(status: .forbidden)
            }
            let from = String(query["from"] ?? ""), text = String(query["text"] ?? "")
            let kept = try await store.recordReply(from: from, text: text)
            // No number and no words in the log: whether it matched a case is enough.
            logger.info("text message reply", metadata: ["reply.matched": "\(kept)"])
            // Kannel sends a non-empty answer body back to the phone as a reply: say nothing.
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init())
        }
    }
}
