import CentreConfig
import CentreMessages
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird

/// A case's text messages on its page (which step, when, where it stands),
/// the resident's replies, and an adviser's own message.
extension ConsoleController {
    func messageSection(_ detail: CaseDetail, visit: Visit) -> TemplateValues? {
        let texts = visit.texts, language = visit.language
        guard config.messaging.isOn || !detail.messages.isEmpty else { return nil }
        let items = detail.messages.map { message in
            let partner = message.detail.flatMap { config.partner($0)?.name[language] }
            // When it last moved: delivered, failed, sent, or (still waiting) queued.
            let when = message.deliveredAt ?? message.failedAt ?? message.sentAt ?? message.createdAt
            return TemplateValues([
                "kind": (texts["sms_\(message.kind.rawValue)"] ?? message.kind.rawValue) + (partner.map { " · \($0)" } ?? ""),
                "state": texts["sms_state_\(message.state.rawValue)"] ?? message.state.rawValue,
                "stateCode": message.state.rawValue, "at": dateTime(when),
                // Not "attempts": the case page's own key (contact attempts) would show through an empty one.
                "tries": message.attempts > 1 ? texts.format("sms_attempts", String(message.attempts)) : nil,
            ])
        }
        let replies = detail.replies.map { reply in
            TemplateValues(["at": dateTime(reply.receivedAt), "text": reply.text ?? texts["plan_erased"],
                            "answer": reply.answer.map { texts[$0 ? "sms_answer_yes" : "sms_answer_no"] ?? "" }])
        }
        return TemplateValues([
            "items": items, "hasItems": !items.isEmpty, "replies": replies, "hasReplies": !replies.isEmpty,
            "canSend": config.messaging.isOn && detail.state.isOpen && detail.textsAllowed,
            "notAllowed": !detail.textsAllowed,
        ])
    }

    /// An adviser's own text message to the resident.
    func sendFreeText(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        do {
            try await store.sendFreeText(visit.form["text"] ?? "", on: reference, by: visit.staff.username,
                                         role: visit.staff.role, street: visit.staff.street, now: visit.now)
        } catch let error as WorkflowError {
            return try await casePage(visit, look: .view, errors: [("message", workflowMessage(error, visit.language))],
                                      status: .unprocessableContent)
        }
        return redirect("/cases/\(reference)?done=text_message#messages")
    }
}
