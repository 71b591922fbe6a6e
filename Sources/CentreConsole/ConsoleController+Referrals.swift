import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import KioskDomain

/// The referral side of a case's page: the referrals with their state,
/// the partner's answer and history; the adviser's refer form (partner,
/// kind of help, note, sharing the ID number) and the cancel form of each
/// open one; and the referrals back with the adviser, shown on the inbox.
extension ConsoleController {
    func referralSection(_ detail: CaseDetail, visit: Visit) -> [TemplateValues] {
        let texts = visit.texts, language = visit.language
        return detail.referrals.map { referral in
            var answer: String?
            if let reason = referral.declineReason {
                answer = texts[.declinedBecause] + "：" + (texts["decline_\(reason.rawValue)"] ?? reason.rawValue)
            } else if let reason = referral.cancelReason {
                answer = texts[.cancelledBecause] + "：" + (texts["cancel_\(reason.rawValue)"] ?? reason.rawValue)
            }
            return TemplateValues([
                "number": referral.number, "partner": partnerName(referral.partner, language),
                "kind": texts["kind_\(referral.kind.rawValue)"] ?? referral.kind.rawValue,
                "state": texts["rstate_\(referral.state.rawValue)"] ?? referral.state.rawValue,
                "stateCode": referral.state.rawValue, "open": referral.state.isOpen && detail.state.isOpen,
                "overdue": referral.isOverdue(at: visit.now), "note": referral.note, "createdAt": dateTime(referral.createdAt),
                "createdBy": referral.createdBy, "answerDue": dateTime(referral.answerDueAt),
                "answer": answer, "answerNote": referral.declineNote,
                "delivered": referral.delivery.map { deliveryText($0, texts: texts) },
                "history": referral.history.map { event in
                    TemplateValues(["at": dateTime(event.at), "actor": event.actor,
                                    "action": texts["ra_\(event.action)"] ?? event.action,
                                    "state": texts["rstate_\(event.to.rawValue)"] ?? event.to.rawValue])
                },
                "cancelReasons": CancelReason.allCases.map {
                    TemplateValues(["id": $0.rawValue, "name": texts["cancel_\($0.rawValue)"] ?? $0.rawValue])
                },
            ])
        }
    }

    /// "Material help: food parcel (¥300.00), 12 Dec"
    func deliveryText(_ delivery: Delivery, texts: [String: String]) -> String {
        var what = delivery.what
        if let cents = delivery.amountCents { what += String(format: " ¥%d.%02d", cents / 100, cents % 100) }
        return texts.format("delivered_facts", texts["kind_\(delivery.kind.rawValue)"] ?? delivery.kind.rawValue,
                            what, day(delivery.on))
    }

    /// The refer form's choices: each partner with the kinds of help it gives,
    /// only those that take the case's programme.
    func referChoices(_ detail: CaseDetail, visit: Visit) -> TemplateValues {
        let texts = visit.texts
        return TemplateValues([
            "partners": config.partners.filter { $0.takes(programme: detail.programme) }.map { partner in
                TemplateValues(["id": partner.id, "name": partner.name[visit.language],
                                "helps": HelpKind.allCases.filter(partner.helps.contains)
                                    .map { texts["kind_\($0.rawValue)"] ?? $0.rawValue }.joined(separator: "、")])
            },
            "kinds": HelpKind.allCases.map {
                TemplateValues(["id": $0.rawValue, "name": texts["kind_\($0.rawValue)"] ?? $0.rawValue])
            },
        ])
    }

    /// An adviser cancels an open referral, with a reason and a note.
    func cancelReferral(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        let number = visit.parameters.get("number") ?? ""
        let reason = visit.form["reason"].flatMap(CancelReason.init(rawValue:))
        guard let reason else {
            return try await casePage(visit, look: .view, errors: [("cancel-\(number)", visit.texts[.problem])],
                                      status: .unprocessableContent)
        }
        // The referral must be this case's: a number from another case is refused as unknown.
        guard number.hasPrefix(reference + "-") else {
            return try await casePage(visit, look: .view, errors: [("actions", workflowMessage(
                WorkflowError(reason: .unknownReferral), visit.language))], status: .unprocessableContent)
        }
        do {
            try await store.perform(.cancel(reason, note: visit.form["note"] ?? ""), onReferral: number,
                                    by: visit.staff.username, as: .caseworker(visit.staff.role),
                                    street: visit.staff.street, now: visit.now)
        } catch let error as WorkflowError {
            return try await casePage(visit, look: .view, errors: [("cancel-\(number)", workflowMessage(error, visit.language))],
                                      status: .unprocessableContent)
        }
        logger.info("referral cancelled", metadata: ["referral.number": "\(number)", "staff.username": "\(visit.staff.username)"])
        return redirect("/cases/\(reference)?done=referral_cancel")
    }

    /// The inbox's panel of referrals back with the adviser.
    func returnedReferrals(_ visit: Visit) async throws -> [TemplateValues] {
        let texts = visit.texts
        return try await store.returnedReferrals(street: visit.staff.street, now: visit.now).map { returned in
            let partner = partnerName(returned.partner, visit.language)
            let why = returned.state == .declined
                ? texts.format("returned_declined", partner,
                               returned.declineReason.flatMap { texts["decline_\($0.rawValue)"] } ?? "")
                : texts.format("returned_overdue", partner, dateTime(returned.answerDueAt))
            return TemplateValues(["reference": returned.caseReference, "number": returned.number,
                                   "level": returned.level.rawValue, "levelName": texts.shortWord(for: returned.level),
                                   "why": why])
        }
    }
}
