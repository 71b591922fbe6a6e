import CentreConfig
import CentreMessages
import CentreStore
import Foundation
import KioskDomain
import Logging
import ServiceLifecycle

/// Sends the outbox through the gateway, part of `kiosk-center serve`:
/// messages a stop left half-sent are settled first (never sent twice),
/// then every couple of seconds what is due goes out, a temporary failure
/// is tried again later (`retry_seconds`, doubling, up to an hour; given up after 12
/// attempts: an adviser calls), and messages without a delivery report in
/// time ask for a call. Texts are filled in here, from the templates and
/// the partners' details, as they are when sent (the latest state).
public struct OutboxSender: ServiceLifecycle.Service {
    let store: CenterStore
    let gateway: KannelGateway
    let config: CenterConfiguration
    let logger: Logger
    let interval: Duration

    public static let maxAttempts = 12

    public init(store: CenterStore, gateway: KannelGateway, config: CenterConfiguration, logger: Logger,
                interval: Duration = .seconds(2)) {
        self.store = store
        self.gateway = gateway
        self.config = config
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        do {
            let settled = try await store.settleInterruptedSends()
            if settled > 0 { logger.notice("messages left mid-send are not sent again", metadata: ["messages.count": "\(settled)"]) }
        } catch {
            logger.error("cannot settle messages left mid-send", metadata: ["error": "\(error)"])
        }
        var lastCheck = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sendDue()
                if Date().timeIntervalSince(lastCheck) > 60 {
                    lastCheck = Date()
                    let unconfirmed = try await store.markUnconfirmedMessages()
                    if unconfirmed > 0 {
                        logger.warning("messages without a delivery report: an adviser is asked to call",
                                       metadata: ["messages.count": "\(unconfirmed)"])
                    }
                }
            } catch {
                logger.error("cannot send text messages", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Sends what is due now, batch by batch.
    func sendDue() async throws {
        while true {
            let due = try await store.takeDueMessages(limit: 20)
            if due.isEmpty { return }
            for message in due {
                let text = render(message)
                var result = await gateway.send(text, to: message.phone, messageID: message.id)
                var retry: Date?
                if case let .temporary(said) = result {
                    if message.attempts >= Self.maxAttempts {
                        result = .permanent("gave up after \(message.attempts) attempts: \(said)")
                    } else {
                        let first = Double(config.messaging.retrySeconds)
                        retry = Date().addingTimeInterval(min(3600, first * pow(2, Double(message.attempts - 1))))
                    }
                }
                try await store.recordSend(result, messageID: message.id, retryAt: retry)
                logger.info("text message", metadata: ["message.id": "\(message.id)", "message.kind": "\(message.kind.rawValue)",
                                                      "message.result": "\(Self.describe(result))"])
            }
        }
    }

    func render(_ message: OutgoingMessage) -> String {
        let messaging = config.messaging, language = message.language
        let partner = message.detail.flatMap(config.partner)
        var values = ["receipt": message.receipt, "centre_phone": messaging.centrePhone,
                      "deadline": MessageTemplates.deadlineWords(message.dueAt, language: language, timeZone: config.timeZone)]
        if let partner {
            values["partner"] = partner.name[language]
            values["address"] = partner.address[language]
            values["phone"] = partner.phone
        }
        if let text = message.text { values["text"] = text }
        return messaging.templates.render(message.kind, language: language, values: values)
    }

    static func describe(_ result: SendResult) -> String {
        switch result {
        case let .accepted(segments): "accepted (\(segments) part(s))"
        case let .temporary(said): "later: \(said)"
        case let .permanent(said): "failed: \(said)"
        }
    }
}
