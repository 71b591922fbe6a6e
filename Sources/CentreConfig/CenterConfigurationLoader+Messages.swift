import CentreMessages
import Foundation
import KioskConfig
import KioskDomain

extension CenterConfigurationLoader {
    /// `messages.yaml`: `signature`, `centre_phone`, `max_segments`,
    /// `quiet_hours`, `coalesce_seconds`, `follow_up_after_days`,
    /// `delivery_report_hours`, `retry_seconds`, `gateway` (optional: off without it) and one
    /// template per kind. Each template is checked for its placeholders and
    /// for its length as a carrier counts it, filled with the longest values
    /// it can meet (the partners of `partners.yaml`, a full receipt number).
    static func readMessages(_ root: YAMLNode, partners: [Partner]?) -> MessagingSettings? {
        guard let top = root.mapping("messages.yaml", keys: [
            "signature", "centre_phone", "max_segments", "quiet_hours", "coalesce_seconds", "follow_up_after_days",
            "delivery_report_hours", "retry_seconds", "gateway", "templates"]) else { return nil }
        let signature = top.required("signature")?.localized("signature")
        let phone = top.required("centre_phone")?.string("centre_phone")
        let maxSegments = top.required("max_segments")?.int("max_segments", in: 1...4)
        let coalesce = top.optional("coalesce_seconds")?.int("coalesce_seconds", in: 0...3600) ?? 60
        let followUp = top.optional("follow_up_after_days")?.int("follow_up_after_days", in: 1...60) ?? 3
        let reportHours = top.optional("delivery_report_hours")?.int("delivery_report_hours", in: 1...168) ?? 24
        let retry = top.optional("retry_seconds")?.int("retry_seconds", in: 1...3600) ?? 30
        var quiet: QuietHours?
        if let map = top.optional("quiet_hours")?.mapping("quiet_hours", keys: ["from", "until"]) {
            let start = map.required("from").flatMap { clock($0, "quiet_hours.from") }
            let end = map.required("until").flatMap { clock($0, "quiet_hours.until") }
            if let start, let end { quiet = QuietHours(start: start, end: end) }
        }
        var gateway: GatewaySettings?
        if let map = top.optional("gateway")?.mapping("gateway", keys: ["sendsms_url", "username", "callback_url"]) {
            let send = map.required("sendsms_url").flatMap { url($0, "gateway.sendsms_url") }
            let user = map.required("username")?.string("gateway.username")
            let callback = map.required("callback_url").flatMap { url($0, "gateway.callback_url") }
            if let send, let user, let callback { gateway = GatewaySettings(sendURL: send, username: user, callbackURL: callback) }
        }
        var texts: [MessageKind: LocalizedText] = [:]
        var lines: [MessageKind: YAMLNode] = [:]
        let kinds = Set(MessageKind.templated.map(\.rawValue))
        if let map = top.required("templates")?.mapping("templates", keys: kinds) {
            for kind in MessageKind.templated {
                guard let node = map.required(kind.rawValue), let text = node.localized("templates.\(kind.rawValue)")
                else { continue }
                for language in [Language.chinese, .english] {
                    for name in MessageTemplates.placeholders(in: text[language]) where !kind.placeholders.contains(name) {
                        node.problem("templates.\(kind.rawValue) (\(language.rawValue)): {\(name)} is not known here; "
                                     + "it may use \(kind.placeholders.sorted().map { "{\($0)}" }.joined(separator: ", "))")
                    }
                }
                texts[kind] = text
                lines[kind] = node
            }
        }
        guard let signature, let phone, let maxSegments, texts.count == MessageKind.templated.count else { return nil }
        let settings = MessagingSettings(
            templates: MessageTemplates(signature: signature, texts: texts, maxSegments: maxSegments), centrePhone: phone,
            quietHours: quiet, coalesceSeconds: coalesce, followUpAfterDays: followUp, deliveryReportHours: reportHours,
            retrySeconds: retry, gateway: gateway)
        var tooLong = false
        for kind in MessageKind.templated {
            for language in [Language.chinese, .english] {
                let longest = MessageSamples.longest(kind, language: language, partners: partners ?? [], settings: settings)
                let length = SMSLength(longest)
                if length.segments > maxSegments {
                    lines[kind]?.problem("templates.\(kind.rawValue) (\(language.rawValue)) takes \(length.segments) messages "
                                         + "(\(length.units) \(length.encoding == .ucs2 ? "UCS-2 characters" : "GSM characters") "
                                         + "with the signature and the longest values it can meet); max_segments is \(maxSegments)")
                    tooLong = true
                }
            }
        }
        return tooLong ? nil : settings
    }

    /// "21:00" → minutes after midnight.
    static func clock(_ node: YAMLNode, _ what: String) -> Int? {
        guard let text = node.string(what) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour),
              (0..<60).contains(minute) else {
            node.problem("\(what) '\(text)' must be a time of day written HH:MM, e.g. 21:00")
            return nil
        }
        return hour * 60 + minute
    }

    static func url(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = node.string(what) else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            node.problem("\(what) '\(text)' must be an http:// or https:// address")
            return nil
        }
        return text
    }
}

/// The longest text a template can become, for `config check`'s count.
public enum MessageSamples {
    /// A full receipt number, as long as any kiosk prints.
    static let receipt = "JA0301-261129-0042-2"

    static func longest(_ kind: MessageKind, language: Language, partners: [Partner], settings: MessagingSettings) -> String {
        func longest(_ values: [String]) -> String { values.max { $0.utf16.count < $1.utf16.count } ?? "" }
        let values: [String: String] = [
            "receipt": receipt,
            "deadline": language == .chinese ? "12月31日 23:59" : "31 Dec 23:59",
            "partner": longest(partners.map { $0.name[language] }),
            "address": longest(partners.map { $0.address[language] }),
            "phone": longest(partners.map(\.phone)),
            "centre_phone": settings.centrePhone,
        ]
        return settings.templates.render(kind, language: language, values: values)
    }
}
