import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import KioskDomain

/// A case's plan on its page (items of material, service and psychological
/// help, whose, by when, done or not), and the inbox's follow-ups: items past
/// their day and review visits due.
extension ConsoleController {
    func planSection(_ detail: CaseDetail, visit: Visit, workers: [String]) -> TemplateValues {
        let texts = visit.texts, language = visit.language
        let today = config.startOfDay(day(visit.now)) ?? visit.now
        func owner(_ owner: PlanOwner) -> String {
            switch owner {
            case let .adviser(name): return name
            case let .referral(number):
                let partner = detail.referrals.first { $0.number == number }.map { partnerName($0.partner, language) }
                return [partner, number].compactMap { $0 }.joined(separator: " · ")
            }
        }
        let items = detail.plan.map { item in
            TemplateValues([
                "id": String(item.id), "kind": texts["kind_\(item.kind.rawValue)"] ?? item.kind.rawValue,
                "kindCode": item.kind.rawValue, "what": item.what ?? texts["plan_erased"], "owner": owner(item.owner),
                "referralState": item.referralState.map { texts["rstate_\($0.rawValue)"] ?? $0.rawValue },
                "due": day(item.dueOn), "overdue": item.isOverdue(today: today), "open": item.state == .open,
                "state": texts["plan_\(item.state.rawValue)"] ?? item.state.rawValue, "stateCode": item.state.rawValue,
                "closed": item.closedAt.map { "\(dateTime($0)) · \(item.closedBy ?? "")" }, "note": item.note,
            ])
        }
        // Whose an item may be: an adviser, or a partner through one of this case's referrals still going.
        let mine = detail.assignee ?? visit.staff.username
        let owners = workers.map { TemplateValues(["value": "adviser:\($0)", "name": $0, "selected": $0 == mine]) }
            + detail.referrals.filter { $0.state.isOpen || $0.state == .completed }.map {
                TemplateValues(["value": "referral:\($0.number)", "selected": false,
                                "name": "\(partnerName($0.partner, language)) · \($0.number)"])
            }
        let inAWeek = Calendar(identifier: .gregorian).date(byAdding: .day, value: 7, to: visit.now) ?? visit.now
        return TemplateValues([
            "items": items, "hasItems": !items.isEmpty, "open": detail.state.isOpen,
            "kinds": HelpKind.allCases.map {
                TemplateValues(["value": $0.rawValue, "name": texts["kind_\($0.rawValue)"] ?? $0.rawValue])
            },
            "owners": owners, "dueDefault": day(inAWeek),
        ])
    }

    /// A plan item added from the case page.
    func addPlanItem(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        let form = visit.form
        let owner: PlanOwner? = form["owner"].flatMap { value in
            let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            return parts[0] == "adviser" ? .adviser(parts[1]) : parts[0] == "referral" ? .referral(parts[1]) : nil
        }
        guard let kind = form["kind"].flatMap(HelpKind.init(rawValue:)), let owner,
              let due = config.startOfDay(form["due_on"] ?? "") else {
            return try await casePage(visit, look: .view, errors: [("plan-due", visit.texts[.badDate])],
                                      status: .unprocessableContent)
        }
        do {
            try await store.addPlanItem(PlanItemInput(kind: kind, what: form["what"] ?? "", owner: owner, dueOn: due),
                                        on: reference, by: visit.staff.username, role: visit.staff.role,
                                        street: visit.staff.street, now: visit.now)
        } catch let error as WorkflowError {
            return try await casePage(visit, look: .view, errors: [("plan", workflowMessage(error, visit.language))],
                                      status: .unprocessableContent)
        }
        return redirect("/cases/\(reference)?done=plan_item#plan")
    }

    /// An item marked done, or not done with a note.
    func closePlanItem(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        let done = visit.form["outcome"] == "done"
        guard let id = visit.parameters.get("item").flatMap({ Int64($0) }) else {
            return message(visit, status: .notFound, title: visit.texts[.notFound])
        }
        do {
            try await store.closePlanItem(id, done: done, note: visit.form["note"] ?? "", on: reference,
                                          by: visit.staff.username, role: visit.staff.role, street: visit.staff.street,
                                          now: visit.now)
        } catch let error as WorkflowError {
            return try await casePage(visit, look: .view, errors: [("plan-\(id)", workflowMessage(error, visit.language))],
                                      status: .unprocessableContent)
        }
        return redirect("/cases/\(reference)?done=\(done ? "plan_done" : "plan_not_done")#plan")
    }

    /// The inbox's follow-ups: plan items past their day and reviews due, oldest first.
    func followUpsPanel(_ visit: Visit) async throws -> [TemplateValues] {
        let texts = visit.texts
        return try await store.followUps(street: visit.staff.street, now: visit.now).map { followUp in
            var what: String, anchor: String, who = ""
            switch followUp.what {
            case let .planItem(id, kind, owner):
                what = texts.format("followup_plan", texts["kind_\(kind.rawValue)"] ?? kind.rawValue)
                anchor = "plan-\(id)"
                switch owner {
                case let .adviser(name): who = name
                case let .referral(number): who = number
                }
            case .review:
                what = texts["followup_review"] ?? "review"
                anchor = "visits"
            case let .callResident(_, kind):
                what = texts.format("followup_call", texts["sms_\(kind.rawValue)"] ?? kind.rawValue)
                anchor = "messages"
            }
            return TemplateValues(["reference": followUp.caseReference, "anchor": anchor, "what": what, "who": who,
                                   "due": day(followUp.dueAt), "level": followUp.level.rawValue,
                                   "levelName": texts.shortWord(for: followUp.level)])
        }
    }
}
