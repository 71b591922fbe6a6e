import CentreConfig
import CentreMessages
import Foundation
import KioskDomain
import TestSupport
import Testing

/// The pure rules of text messages: a carrier's count, quiet hours, the
/// shipped templates within their limit, and config check's messages.
@Suite struct MessagingTests {
    @Test func aCarrierCountsGSMAndUCS2Parts() {
        let latin = SMSLength(String(repeating: "a", count: 160))
        #expect(latin.encoding == .gsm7 && latin.units == 160 && latin.segments == 1)
        #expect(SMSLength(String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSLength(String(repeating: "a", count: 306)).segments == 2 && SMSLength(String(repeating: "a", count: 307)).segments == 3)
        #expect(SMSLength("{}").units == 4, "an extension character takes two septets")
        let chinese = SMSLength(String(repeating: "好", count: 70))
        #expect(chinese.encoding == .ucs2 && chinese.units == 70 && chinese.segments == 1)
        #expect(SMSLength(String(repeating: "好", count: 71)).segments == 2)
        #expect(SMSLength(String(repeating: "好", count: 134)).segments == 2 && SMSLength(String(repeating: "好", count: 135)).segments == 3)
        #expect(SMSLength("Hello 你").encoding == .ucs2, "one non-GSM character makes the whole message UCS-2")
        #expect(SMSLength("😀").units == 2, "outside the BMP: two UTF-16 units")
    }

    @Test func quietHoursAcrossMidnightMoveToTheirEnd() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        let quiet = QuietHours(start: 21 * 60, end: 8 * 60)
        func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        #expect(quiet.nextAllowed(from: at("2026-12-07T12:00:00+08:00"), timeZone: zone) == at("2026-12-07T12:00:00+08:00"))
        #expect(quiet.nextAllowed(from: at("2026-12-07T22:30:00+08:00"), timeZone: zone) == at("2026-12-08T08:00:00+08:00"))
        #expect(quiet.nextAllowed(from: at("2026-12-08T03:00:00+08:00"), timeZone: zone) == at("2026-12-08T08:00:00+08:00"))
        #expect(quiet.nextAllowed(from: at("2026-12-08T08:00:00+08:00"), timeZone: zone) == at("2026-12-08T08:00:00+08:00"))
        let lunch = QuietHours(start: 12 * 60, end: 13 * 60)
        #expect(lunch.nextAllowed(from: at("2026-12-07T12:10:00+08:00"), timeZone: zone) == at("2026-12-07T13:00:00+08:00"))
    }

    @Test func theShippedTemplatesFitTwoPartsAndNameNothingPersonal() throws {
        let config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        #expect(!config.messaging.isOn, "off until a gateway is named")
        let text = config.messaging.templates.render(.referred, language: .chinese, values: [
            "partner": "市慈善基金会", "address": "静安区延安中路 1 号 3 楼", "phone": "021-6279 0000"])
        #expect(text == "【南京西路社区救助】我们已请市慈善基金会为您提供帮助。地址：静安区延安中路 1 号 3 楼；电话：021-6279 0000。")
        #expect(SMSLength(text).segments == 1)
        for kind in MessageKind.templated {
            for language in [Language.chinese, .english] {
                let template = try #require(config.messaging.templates.texts[kind]?[language])
                #expect(Set(MessageTemplates.placeholders(in: template)).isSubset(of: kind.placeholders))
                #expect(!template.contains("{name}") && !template.contains("{level}"))
            }
        }
    }

    @Test func configCheckNamesAnUnknownPlaceholderAndATemplateTooLong() throws {
        let folder = try CenterProcess.configuration { $0 }
        let file = folder.appendingPathComponent("messages.yaml")
        try (try String(contentsOf: file, encoding: .utf8))
            .replacingOccurrences(of: "您的求助已收到，回执号{receipt}。", with: "{name}您好，您的求助已收到，回执号{receipt}。")
            .replacingOccurrences(of: "上次的帮助是否符合您的需要？",
                                  with: String(repeating: "上次的帮助是否符合您的需要？", count: 12))
            .write(to: file, atomically: true, encoding: .utf8)
        let problems: [String]
        do {
            _ = try CenterConfigurationLoader.load(from: folder)
            problems = []
        } catch {
            problems = error.problems.map(\.description)
        }
        #expect(problems.contains { $0.contains("messages.yaml:") && $0.contains("templates.received (zh-Hans): {name} is not known here") },
                "\(problems)")
        #expect(problems.contains { $0.contains("templates.follow_up (zh-Hans) takes 3 messages") && $0.contains("max_segments is 2") },
                "\(problems)")
    }
}
