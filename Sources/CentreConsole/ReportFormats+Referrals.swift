import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import KioskDomain

extension ReportLines {
    /// Per partner: referrals made, answers in time, the median wait for an
    /// answer, accepted, declined by reason, completed, delivered by kind.
    /// Per programme: cases, and of them how many ended with help delivered.
    static func referralLines(_ report: ReferralReport, config: CenterConfiguration, language: Language) -> [Line] {
        let english = language == .english, texts = ConsoleTexts.table(language)
        var lines: [Line] = []
        for partner in report.partners {
            let share = partner.answerDue > 0
                ? String(format: "%.0f%%", Double(partner.answeredInTime) * 100 / Double(partner.answerDue)) : "-"
            let median = partner.medianAnswerSeconds.map { String(format: "%.1f", $0 / 3600) } ?? "-"
            let declined = DeclineReason.allCases.compactMap { reason in
                partner.declined[reason].map { "\(texts["decline_\(reason.rawValue)"] ?? reason.rawValue) \($0)" }
            }.joined(separator: english ? ", " : "、")
            let delivered = HelpKind.allCases.compactMap { kind in
                partner.delivered[kind].map { "\(texts["kind_\(kind.rawValue)"] ?? kind.rawValue) \($0)" }
            }.joined(separator: english ? ", " : "、")
            let declinedCount = partner.declined.values.reduce(0, +)
            let detail = english
                ? "answered in time \(partner.answeredInTime)/\(partner.answerDue) (\(share)); median answer \(median) h; "
                    + "accepted \(partner.accepted); declined \(declinedCount)\(declined.isEmpty ? "" : " (\(declined))"); "
                    + "completed \(partner.completed)\(delivered.isEmpty ? "" : " (\(delivered))"); open \(partner.open)"
                : "按期答复 \(partner.answeredInTime)/\(partner.answerDue)（\(share)）；答复中位 \(median) 小时；"
                    + "接收 \(partner.accepted)；拒绝 \(declinedCount)\(declined.isEmpty ? "" : "（\(declined)）")；"
                    + "完成 \(partner.completed)\(delivered.isEmpty ? "" : "（\(delivered)）")；未结束 \(partner.open)"
            lines.append(Line(section: english ? "Referrals by partner" : "转介机构",
                              item: config.partner(partner.partner)?.name[language] ?? partner.partner,
                              count: partner.referrals, detail: detail))
        }
        for entry in report.helpDelivered {
            lines.append(Line(section: english ? "Help delivered" : "帮助送达",
                              item: config.catalog.programme(entry.programme)?.name[language] ?? entry.programme,
                              count: entry.delivered,
                              detail: english ? "of \(entry.cases) cases" : "共 \(entry.cases) 件"))
        }
        return lines
    }
}
