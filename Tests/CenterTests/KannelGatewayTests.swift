import CentreConfig
import CentreSMS
import CentreStore
import Foundation
import TestSupport
import Testing

/// The gateway client against a real Kannel (fakesmsc as the phone): a
/// Chinese message arrives whole as UCS-2, an English one as GSM; a number
/// the gateway refuses is a permanent failure; the gateway down is a
/// temporary one, and it takes messages again once back.
@Suite(.serialized) struct KannelGatewayTests {
    @Test func sendsAsKannelCountsAndTellsRefusalsFromOutages() async throws {
        let port = try freeTCPPort()
        let lab = try SMSLab(replyURL: "http://127.0.0.1:9/sms/mo?from=%p&text=%a", sendsmsPort: port)
        let gateway = KannelGateway(
            settings: GatewaySettings(sendURL: lab.sendURL, username: "kiosk-centre", callbackURL: "http://127.0.0.1:9"),
            password: lab.password, keys: MessageKeys(sealKey: Array(repeating: 7, count: 32)))
        let chinese = "【南京西路社区救助】您的求助已收到，回执号JA0301-261129-0042-2。我们会在12月10日 18:00前与您联系。"
        #expect(await gateway.send(chinese, to: "13912345678", messageID: 1) == .accepted(segments: 1))
        #expect(await gateway.send("[Nanjing West Aid] Reply 1 for yes, 2 for no. 100% + ok", to: "13912345678",
                                   messageID: 2) == .accepted(segments: 1))
        func arrived(_ count: Int) async throws -> [(to: String, text: String)] {
            for _ in 0..<100 where lab.received().count < count { try await Task.sleep(for: .milliseconds(100)) }
            return lab.received()
        }
        let phone = try await arrived(2)
        #expect(phone.map(\.text) == [chinese, "[Nanjing West Aid] Reply 1 for yes, 2 for no. 100% + ok"], "\(phone)")

        guard case .permanent(let said) = await gateway.send("hi", to: "13000000000", messageID: 3) else {
            Issue.record("a black-listed number is refused for good"); return
        }
        #expect(said.hasPrefix("400") && !said.contains("13000000000"), "the gateway's answer, no number: \(said)")

        try lab.pause()
        #expect(await gateway.send("hi", to: "13912345678", messageID: 4) == .temporary("gateway unreachable"))
        try lab.resume()
        #expect(await gateway.send("back", to: "13912345678", messageID: 5) == .accepted(segments: 1))
        #expect(try await arrived(3).last?.text == "back")
    }
}
