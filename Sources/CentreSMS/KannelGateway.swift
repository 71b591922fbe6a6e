import CentreConfig
import CentreMessages
import CentreStore
import Foundation

/// Kannel's smsbox `sendsms` interface: one GET a message, UCS-2 for any
/// text beyond the GSM alphabet, a delivery report asked for and routed back
/// to the centre's signed `/sms/dlr` address. 202 is accepted (sent, or
/// queued by Kannel while its carrier link is down); 4xx is a refusal for
/// good (a number the gateway will not send to, a bad request); anything
/// else (5xx, no connection) is tried again later.
public struct KannelGateway: Sendable {
    let settings: GatewaySettings
    let password: String
    let keys: MessageKeys
    let http = GatewayHTTP(timeout: .seconds(15))

    public init(settings: GatewaySettings, password: String, keys: MessageKeys) {
        self.settings = settings
        self.password = password
        self.keys = keys
    }

    public func send(_ text: String, to phone: String, messageID: Int64) async -> SendResult {
        let length = SMSLength(text)
        // %d: Kannel puts the report's type there (1 delivered, 2 failed, 4 queued, 8 at the carrier, 16 refused).
        let report = settings.callbackURL.trimmingSuffix("/")
            + "/sms/dlr?id=\(messageID)&sig=\(keys.callbackSignature(messageID: messageID))&status=%d"
        var query = URLComponents()
        query.queryItems = [
            URLQueryItem(name: "username", value: settings.username), URLQueryItem(name: "password", value: password),
            URLQueryItem(name: "to", value: phone), URLQueryItem(name: "text", value: text),
            URLQueryItem(name: "charset", value: "UTF-8"),
            URLQueryItem(name: "dlr-mask", value: "31"), URLQueryItem(name: "dlr-url", value: report),
        ]
        // UCS-2 said outright: without it Kannel sends Chinese as GSM question marks. GSM is its default.
        if length.encoding == .ucs2 { query.queryItems?.append(URLQueryItem(name: "coding", value: "2")) }
        // URLComponents leaves '+' as it is, which a CGI reads as a space.
        let encoded = (query.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        guard let url = URL(string: settings.sendURL + (settings.sendURL.contains("?") ? "&" : "?") + encoded) else {
            return .permanent("the gateway's address does not parse")
        }
        do {
            let (status, body) = try await http.get(url)
            // The gateway's answer, never the text or the number: it goes to the outbox's status and the log.
            let said = "\(status) \(body.prefix(60))".trimmingCharacters(in: .whitespacesAndNewlines)
            switch status {
            case 200..<300: return .accepted(segments: length.segments)
            case 400..<500: return .permanent(said)
            default: return .temporary(said)
            }
        } catch let failure as GatewayHTTP.Failure {
            return .temporary(failure.description)
        } catch {
            return .temporary("gateway unreachable")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
