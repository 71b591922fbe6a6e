import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import IntakeProtocol
import KioskDomain

/// A case's page (the resident's data opened for this view, the timeline)
/// and the actions staff take on it.
extension ConsoleController {
    func casePage(_ visit: Visit, look: CenterStore.Look, errors: [(field: String, text: String)] = [],
                  status: HTTPResponse.Status = .ok,
                  visitForm: (chosen: [String: String], preview: Bool) = ([:], false)) async throws -> Response {
        let texts = visit.texts, language = visit.language
        let reference = visit.parameters.get("reference") ?? ""
        guard let detail = try await store.caseDetail(reference, viewer: visit.staff.username, look: look,
                                                street: visit.staff.street, now: visit.now) else {
            // A resident may bring a ticket to another street's centre: say whose case it is, show nothing of it.
            if visit.staff.street != nil, let handling = try await store.handling(ofCase: reference) {
                return message(visit, status: .notFound, title: texts[.notFound], detail: texts.format(
                    "case_other_street", config.streetName(handling.kioskStreet ?? "", language)))
            }
            return message(visit, status: .notFound, title: texts[.notFound])
        }
        let data = frame(visit, title: "\(texts[.receipt]) \(detail.receiptNumber)")
        data["reference"] = detail.reference
        data["receipt"] = detail.receiptNumber
        data["level"] = detail.level.rawValue
        data["levelName"] = texts.word(for: detail.level)
        data["state"] = texts.word(for: detail.state)
        data["overdue"] = detail.isOverdue(at: visit.now)
        data["reasons"] = detail.reasons.map { reasonText($0, language) }
        data["hasReasons"] = !detail.reasons.isEmpty
        data["programme"] = programmeName(detail.programme, language)
        data["service"] = serviceName(detail.service, detail.programme, language)
        data["street"] = config.streetName(detail.street, language)
        data["kiosk"] = detail.kioskCode
        data["askedAt"] = dateTime(detail.createdAt)
        data["receivedAt"] = dateTime(detail.receivedAt)
        data["dueAt"] = dateTime(detail.dueAt)
        data["firstContact"] = detail.firstContactAt.map(dateTime)
        data["attempts"] = detail.unansweredAttempts
        data["assignee"] = detail.assignee
        // Cases referred before referrals were records of their own name their one partner here.
        data["partner"] = detail.referrals.isEmpty ? detail.partner.map { partnerName($0, language) } : nil
        data["outcome"] = detail.outcome.map { texts.word(for: $0) }
        data["duplicateOf"] = detail.duplicateOf
        data["closedAt"] = detail.closedAt.map(dateTime)
        data["done"] = visit.query("done").flatMap { texts["action_\($0)"] }.map { texts.format("done", $0) }
        if let submission = detail.submission {
            data["resident"] = residentData(submission, reveal: look == .revealID, language: language, texts: texts)
        } else {
            data["erased"] = true
        }
        data["timeline"] = detail.timeline.map { event in
            TemplateValues([
                "at": dateTime(event.at), "actor": event.actor,
                "action": texts["action_\(event.action)"] ?? event.action,
                "states": (event.from.map { texts.word(for: $0) + " → " } ?? "")
                    + texts.word(for: event.to),
                "detail": eventDetail(event, language: language, texts: texts), "note": event.note,
            ])
        }
        data["errors"] = errors.map { TemplateValues(["field": $0.field, "text": $0.text]) }
        data["hasErrors"] = !errors.isEmpty
        let workers = (try? await store.caseworkers()) ?? []
        data["actions"] = actionForms(detail, visit: visit, workers: workers)
        data["referrals"] = referralSection(detail, visit: visit)
        data["hasReferrals"] = !detail.referrals.isEmpty
        data["homeVisit"] = visitSection(detail, visit: visit, chosen: visitForm.chosen, preview: visitForm.preview)
        data["plan"] = planSection(detail, visit: visit, workers: workers)
        data["messages"] = messageSection(detail, visit: visit)
        return html(views.render("case", data), status: status)
    }

    func residentData(_ submission: IntakeSubmission, reveal: Bool, language: Language,
                      texts: [String: String]) -> TemplateValues {
        let applicant = submission.applicant
        let area = config.street(applicant.street)
        let answers = submission.answers.map { answer in
            let question = config.assessment.questions.first { $0.id == answer.question }
            return TemplateValues(["question": question?.prompt[language] ?? answer.question,
                                   "answer": question?.option(answer.option)?.label[language] ?? answer.option])
        }
        var id: String?
        if let full = applicant.residentId {
            id = reveal ? full : Self.masked(full)
        }
        return TemplateValues([
            "name": applicant.name, "phone": applicant.phone, "id": id, "canReveal": id != nil && !reveal,
            "street": config.streetName(applicant.street, language),
            // Empty: the resident was not sure of their community.
            "community": area?.communities.first { $0.code == applicant.community }?.name[language]
                ?? (applicant.community.isEmpty ? "—" : applicant.community),
            "address": applicant.addressDetail, "household": applicant.householdSize,
            "story": submission.description, "answers": answers,
            "consent": texts.format("consent_given", submission.consent.version, dateTime(submission.consent.givenAt)),
            "language": submission.language == "en" ? "English" : "中文",
        ])
    }

    /// 110105********002X: the region and the last four, as on a bank slip.
    static func masked(_ id: String) -> String {
        guard id.count > 10 else { return String(repeating: "*", count: id.count) }
        return String(id.prefix(6)) + String(repeating: "*", count: id.count - 10) + String(id.suffix(4))
    }

    func eventDetail(_ event: CaseEvent, language: Language, texts: [String: String]) -> String? {
        guard let detail = event.detail else { return nil }
        switch event.action {
        case "refer": return partnerName(detail, language)
        case "plan_item", "plan_done", "plan_not_done": return texts["kind_\(detail)"] ?? detail
        case "reply": return texts["sms_answer_\(detail)"] ?? texts["sms_reply"]
        case "text_message": return texts.format("sms_segments", detail)
        case "close": return texts["outcome_\(detail)"] ?? detail
        case "contact": return texts["contact_\(detail)"] ?? detail
        case "visit", "visit_approved", "visit_sent_back":
            // "yellow>red pending": the levels in words, and where the visit stands.
            let parts = detail.split(separator: " ")
            let levels = (parts.first ?? "").split(separator: ">").compactMap { HardshipLevel(rawValue: String($0)) }
            guard levels.count == 2 else { return detail }
            let state = parts.count > 1 ? texts["visit_\(parts[1])"].map { " · " + $0 } ?? "" : ""
            return texts.word(for: levels[0]) + " → " + texts.word(for: levels[1]) + state
        case "referral":
            guard let line = ReferralProgressLine(detail: detail) else { return detail }
            return partnerName(line.partner, language) + " · "
                + (texts["rstate_\(line.progress.step.rawValue)"] ?? line.progress.step.rawValue)
        default: return detail
        }
    }

    /// The forms this member of staff may use on this case now.
    func actionForms(_ detail: CaseDetail, visit: Visit, workers: [String]) -> TemplateValues {
        let texts = visit.texts
        let state = detail.state
        guard state.isOpen else { return TemplateValues(["closed": true]) }
        let supervisor = visit.staff.role == .supervisor
        return TemplateValues([
            "accept": state == .new,
            "assign": true,
            "supervisor": supervisor,
            "advisers": workers.map { TemplateValues(["name": $0, "selected": $0 == detail.assignee]) },
            "contact": state != .new,
            "refer": state != .new ? referChoices(detail, visit: visit) : nil,
            "startService": [.accepted, .assigned, .contacted, .referred].contains(state),
            "outcomes": CaseOutcome.allCases.filter { $0 != .duplicate }.map {
                TemplateValues(["id": $0.rawValue, "name": texts.word(for: $0)])
            },
        ])
    }

    /// Applies one posted action, then shows the case again (303, so a
    /// reload does not post twice); a refused action shows why on the page.
    func caseAction(_ visit: Visit) async throws -> Response {
        let texts = visit.texts
        let reference = visit.parameters.get("reference") ?? ""
        let form = visit.form
        let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var action: CaseAction?
        var field = "actions"
        switch form["action"] {
        case "accept": action = .accept
        case "assign":
            field = "assignee"
            action = .assign(to: form["assignee"] ?? visit.staff.username)
        case "contact":
            field = "contact"
            action = (form["result"]).flatMap(ContactResult.init(rawValue:)).map { .recordContact($0) }
        case "refer":
            field = "partner"
            action = form["kind"].flatMap(HelpKind.init(rawValue:)).map {
                .refer(partner: form["partner"] ?? "", kind: $0, note: note, shareID: form["share_id"] == "1")
            }
        case "start_service": action = .startService
        case "close":
            field = "outcome"
            action = form["outcome"].flatMap(CaseOutcome.init(rawValue:)).map { .close($0, note: note) }
        case "duplicate":
            field = "duplicate"
            let other = (form["duplicate_of"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            action = .markDuplicate(of: other)
        default: break
        }
        guard let action else {
            return try await casePage(visit, look: .view, errors: [(field, texts[.problem])], status: .unprocessableContent)
        }
        do {
            try await store.perform(action, on: reference, by: visit.staff.username, role: visit.staff.role,
                              rules: config.cases, partner: config.partner,
                              street: visit.staff.street, now: visit.now)
        } catch let error as WorkflowError {
            let about = [.noteRequired, .noteTooLong(CaseWorkflow.maxNoteLength)].contains(error.reason) ? "note" : field
            return try await casePage(visit, look: .view, errors: [(about, workflowMessage(error, visit.language))],
                                status: .unprocessableContent)
        }
        logger.info("case action", metadata: ["case.reference": "\(reference)", "case.action": "\(action.name)",
                                              "staff.username": "\(visit.staff.username)"])
        return redirect("/cases/\(reference)?done=\(action.name)")
    }

    func workflowMessage(_ error: WorkflowError, _ language: Language) -> String {
        guard language == .chinese else { return error.description.prefix(1).uppercased() + error.description.dropFirst() }
        switch error.reason {
        case .closed: return "此案件已结案。"
        case let .notAllowed(state): return "案件处于“\(ConsoleTexts.chinese.word(for: state))”状态，不能进行此操作。"
        case .roleCannot: return "您的角色不能处理案件。"
        case .assignOthers: return "只有主管可以把案件分配给其他人。"
        case .unknownStaff: return "没有这位在职顾问。"
        case .unknownPartner: return "请选择转介机构。"
        case let .tooFewAttempts(needed): return "至少 \(needed) 次联系未接通后，才能以“多次联系不上”结案。"
        case .noteRequired: return "请填写结案说明。"
        case let .noteTooLong(limit): return "结案说明不能超过 \(limit) 字。"
        case .duplicateOfItself: return "案件不能与自己重复。"
        case .unknownCase: return "没有这个案件编号。"
        case let .openReferrals(count): return "还有 \(count) 项转介未结束：请先撤回（并说明原因）再结案。"
        case .noCompletedReferral: return "只有转介机构登记完成后，才能以“转介已确认”结案。"
        case .unknownReferral: return "没有这张转介单。"
        case let .referralClosed(state): return "此转介已\(ConsoleTexts.chinese["rstate_\(state.rawValue)"] ?? state.rawValue)，不能再操作。"
        case let .referralNotAllowed(state):
            return "转介处于“\(ConsoleTexts.chinese["rstate_\(state.rawValue)"] ?? state.rawValue)”状态，不能进行此操作。"
        case let .partnerDoesNotHelp(kind): return "该机构不提供“\(ConsoleTexts.chinese["kind_\(kind.rawValue)"] ?? kind.rawValue)”。"
        case .partnerDoesNotTakeProgramme: return "该机构不接收此项目的转介。"
        case .alreadyReferred: return "已向该机构转介过同类帮助，且尚未结束。"
        case .deliveryRequired: return "请填写提供了什么。"
        case .amountOutOfRange: return "金额只用于物质帮助，且在 0 到 1,000,000 元之间。"
        case .deliveredInFuture: return "提供日期不能晚于今天。"
        case .visitAnswerUnknown: return "评估表的回答有误，请重新填写。"
        case let .visitIncomplete(count): return "评估表还有 \(count) 个问题没有回答。"
        case .caseChanged: return "您打开案件后，它已被他人修改：请先查看最新情况，再记录访视。"
        case .noPendingVisit: return "此案件没有待审批的访视。"
        case .visitAwaitingApproval: return "此案件已有一次访视在等待主管审批，请先等审批结果。"
        case .planWhatRequired: return "请写明帮扶内容。"
        case .planDueInPast: return "完成期限不能早于今天。"
        case .unknownPlanItem: return "帮扶计划中没有这一项。"
        case .planItemClosed: return "这一项已标记为完成或未完成。"
        case .planNoteRequired: return "请说明未完成的原因。"
        case .textsOff: return "本中心未开通短信（messages.yaml 未设置短信网关）。"
        case .textRequired: return "请先写好短信内容。"
        case .textsNotAllowed: return "居民没有同意接收短信。"
        case let .textTooLong(segments, most): return "这条短信要分 \(segments) 条发送，最多 \(most) 条。"
        }
    }
}
