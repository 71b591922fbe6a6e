import CentreConfig
import CentreWorkflow
import Foundation
import KioskDomain
import QRCode
import Receipts

/// The referral slip (转介单) the resident takes to the partner: who to go
/// to, where, when, what to bring, the referral number and its signed QR
/// code. Nothing of the resident is on it: a lost slip tells a finder
/// nothing about whom it was for. Pure: composed into a receipt document
/// that the kiosk's PDF renderer draws.
public struct ReferralSlip: Sendable {
    public var centreName: LocalizedText
    public var partner: Partner
    public var kind: HelpKind
    public var token: ReferralToken
    public var issuedAt: Date
    public var language: Language

    public init(centreName: LocalizedText, partner: Partner, kind: HelpKind, token: ReferralToken, issuedAt: Date,
                language: Language) {
        self.centreName = centreName
        self.partner = partner
        self.kind = kind
        self.token = token
        self.issuedAt = issuedAt
        self.language = language
    }

    /// The slip as a document for a roll of `settings.widthMM`.
    public func document(_ settings: SlipSettings, timeZone: TimeZone) throws(QRError) -> ReceiptDocument {
        let words = SlipWords(language)
        let large = ReceiptLayout.Style(size: 13, bold: true), normal = ReceiptLayout.Style(size: 9)
        let label = ReceiptLayout.Style(size: 8), strong = ReceiptLayout.Style(size: 10, bold: true)
        var blocks: [ReceiptDocument.Block] = [
            .text(centreName[language], normal),
            .text(words.title, large),
            .rule,
            .text(words.goTo, label), .text(partner.name[language], strong),
            .text(words.address, label), .text(partner.address[language], normal),
            .text(words.hours, label), .text(partner.hours[language], normal),
            .text(words.phone, label), .text(ReceiptText.keepingNumbersWhole(partner.phone), normal),
            .text(words.help, label), .text(words.kind(kind), normal),
        ]
        if let bring = partner.bring {
            blocks += [.text(words.bring, label), .text(bring[language], normal)]
        }
        blocks += [
            .rule,
            .text(words.number, label),
            .text(token.number.replacingOccurrences(of: "-", with: "-\u{200B}"), large),
            .qr(try QREncoder.encode(token.description, correction: .medium)),
            .text(words.scanHint, label),
            .text("\(words.issued) \(LocalTime(issuedAt, timeZone).day) \(LocalTime(issuedAt, timeZone).clock)", label),
        ]
        return ReceiptDocument(
            rollWidthMM: settings.widthMM, printableWidthMM: settings.widthMM - 8, marginTopMM: 4, marginBottomMM: 10,
            blockSpacingMM: 1.6, qr: ReceiptLayout.QRSettings(maxWidthMM: 36, minModuleMM: 0.5, quietZoneModules: 4),
            fontFamily: settings.fontFamily, blocks: blocks, title: "referral slip \(token.number)")
    }
}

/// The slip's own words, in the resident's language.
struct SlipWords {
    let chinese: Bool
    init(_ language: Language) { chinese = language == .chinese }

    var title: String { chinese ? "转介单" : "Referral slip" }
    var goTo: String { chinese ? "请前往" : "Please go to" }
    var address: String { chinese ? "地址" : "Address" }
    var hours: String { chinese ? "办公时间" : "Opening hours" }
    var phone: String { chinese ? "电话" : "Phone" }
    var help: String { chinese ? "需要的帮助" : "Help asked for" }
    var bring: String { chinese ? "请带上" : "Please bring" }
    var number: String { chinese ? "转介单号" : "Referral number" }
    var scanHint: String {
        chinese ? "请把本单交给接待人员，扫码即可查到您的转介。" : "Show this slip at the desk: the code opens your referral."
    }
    var issued: String { chinese ? "开具时间" : "Issued" }

    func kind(_ kind: HelpKind) -> String {
        switch kind {
        case .material: chinese ? "物质帮助" : "Material help"
        case .service: chinese ? "服务" : "Service"
        case .psychological: chinese ? "心理支持" : "Psychological support"
        }
    }
}
