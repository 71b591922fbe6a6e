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

    /// Outcome evaluation (成效评估) per programme and street: the families
    /// closed in the month with two visits or more, how many moved down a
    /// level (less hardship) or up, and the median change per dimension from
    /// the first visit to the last (weighted points; below zero is better).
    static func homeVisitLines(_ groups: [OutcomeEvaluation.Group], config: CenterConfiguration,
                               language: Language) -> [Line] {
        let english = language == .english
        return groups.map { group in
            let changes = KioskDomain.Dimension.allCases.map { dimension in
                let name = config.homeVisit.sections.first { $0.dimension == dimension }?.name[language] ?? dimension.rawValue
                let change = group.medianChange[dimension] ?? 0
                return "\(name) \(change > 0 ? "+" : "")\(String(format: change == change.rounded() ? "%.0f" : "%.1f", change))"
            }.joined(separator: english ? ", " : "、")
            let detail = english
                ? "moved down a level \(group.movedDown), up \(group.movedUp); median change \(changes)"
                : "评级下降 \(group.movedDown)，上升 \(group.movedUp)；变化中位数 \(changes)"
            let programme = config.catalog.programme(group.programme)?.name[language] ?? group.programme
            return Line(section: english ? "Outcome of home visits (first visit → last)" : "家庭访视成效（首次 → 末次）",
                        item: "\(programme) · \(config.streetName(group.street, language))", count: group.families,
                        detail: detail)
        }
    }

    /// Text messages: sent (of them delivered, still unconfirmed), failed, and replies with the follow-up's answers.
    static func messageLines(_ report: MessageReport, language: Language) -> [Line] {
        guard report.sent + report.failed + report.replies > 0 else { return [] }
        let english = language == .english
        let section = english ? "Text messages" : "短信"
        return [
            Line(section: section, item: english ? "Sent" : "已发出", count: report.sent,
                 detail: english ? "delivered \(report.delivered), no report yet \(report.unconfirmed)"
                     : "已送达 \(report.delivered)，未收到送达报告 \(report.unconfirmed)"),
            Line(section: section, item: english ? "Not delivered" : "发送失败", count: report.failed,
                 detail: english ? "an adviser is asked to call" : "已提醒顾问致电"),
            Line(section: section, item: english ? "Replies" : "居民回复", count: report.replies,
                 detail: english ? "the help was what they needed \(report.answeredYes), was not \(report.answeredNo)"
                     : "帮助符合需要 \(report.answeredYes)，不符合 \(report.answeredNo)"),
        ]
    }
}
