import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import KioskDomain

/// A partner organisation's pages: its inbox of open referrals, a
/// referral's page (opening it marks it received) and its answers:
/// accept, decline with a reason, start, complete with what was delivered.
/// A partner account reaches its own organisation's referrals only; any
/// other number is "not found", as an unknown one is.
extension ConsoleController {
    func partnerInboxPage(_ visit: Visit, lookup: String = "", lookupError: String? = nil) async throws -> Response {
        let texts = visit.texts, language = visit.language
        let partnerID = visit.staff.partner ?? ""
        let rows = try await store.partnerInbox(partner: partnerID)
        let data = frame(visit, title: texts[.partnerInbox])
        data["organisation"] = config.partner(partnerID)?.name[language] ?? partnerID
        data["lookup"] = lookup
        data["lookupError"] = lookupError
        data["empty"] = rows.isEmpty
        data["rows"] = rows.map { row in
            TemplateValues([
                "number": row.number, "level": row.level.rawValue, "levelName": texts.shortWord(for: row.level),
                "kind": texts["kind_\(row.kind.rawValue)"] ?? row.kind.rawValue,
                "asked": serviceName(row.service, row.programme, language),
                "state": texts["rstate_\(row.state.rawValue)"] ?? row.state.rawValue,
                "referredAt": dateTime(row.createdAt), "answerDue": dateTime(row.answerDueAt),
                "overdue": row.isOverdue(at: visit.now),
            ])
        }
        return html(views.render("partner-inbox", data), status: lookupError == nil ? .ok : .unprocessableContent)
    }

    /// What a partner's staff typed or scanned: a slip's signed QR code
    /// (`R1.…`) or a referral number. Whether it is theirs, the referral's page says.
    func partnerLookup(_ visit: Visit) async throws -> Response {
        let input = (visit.query("number") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if ReferralToken.looksLikeToken(input) {
            guard let token = ReferralToken(verifying: input, key: store.slipKey) else {
                try await store.audit(actor: visit.staff.username, action: "slip_refused", now: visit.now)
                return try await partnerInboxPage(visit, lookup: String(input.prefix(40)),
                                                  lookupError: visit.texts[.slipForged])
            }
            return redirect("/partner/referrals/\(token.number)")
        }
        let typed = input.uppercased()
        guard Self.isReferralNumber(typed) else {
            return try await partnerInboxPage(visit, lookup: typed, lookupError: visit.texts[.noSuchReferral])
        }
        return redirect("/partner/referrals/\(typed)")
    }

    /// `C00000012-1`: a case reference, a hyphen, a number.
    static func isReferralNumber(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 2 && parts[0].count <= 24 && parts[0].allSatisfy { $0.isLetter || $0.isNumber }
            && parts[1].count <= 4 && parts[1].allSatisfy(\.isNumber)
    }

    func partnerReferralPage(_ visit: Visit, errors: [(field: String, text: String)] = [],
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        let texts = visit.texts, language = visit.language
        let number = visit.parameters.get("number") ?? ""
        guard let partnerID = visit.staff.partner, Self.isReferralNumber(number),
              let referral = try await store.openReferral(number, viewer: visit.staff.username, partner: partnerID,
                                                          idSharingConsents: config.cases.partnerIDConsentVersions,
                                                          now: visit.now)
        else { return message(visit, status: .notFound, title: texts[.notFound], detail: texts[.noSuchReferral]) }
        let data = frame(visit, title: texts.format("referral_title", number))
        data["number"] = number
        data["level"] = referral.level.rawValue
        data["levelName"] = texts.word(for: referral.level)
        data["state"] = texts["rstate_\(referral.state.rawValue)"] ?? referral.state.rawValue
        data["kind"] = texts["kind_\(referral.kind.rawValue)"] ?? referral.kind.rawValue
        data["asked"] = programmeName(referral.programme, language) + " · "
            + serviceName(referral.service, referral.programme, language)
        data["name"] = referral.name
        data["phone"] = referral.phone
        data["street"] = referral.street.map { config.streetName($0, language) }
        data["residentID"] = referral.residentID
        data["note"] = referral.note
        data["referredBy"] = referral.referredBy
        data["referredAt"] = dateTime(referral.createdAt)
        data["answerDue"] = dateTime(referral.answerDueAt)
        data["overdue"] = referral.state.awaitsAnswer && referral.answerDueAt < visit.now
        data["erased"] = referral.erased
        data["delivered"] = referral.delivery.map { deliveryText($0, texts: texts) }
        data["done"] = visit.query("done").flatMap { texts["ra_\($0)"] }.map { texts.format("referral_done", $0) }
        data["errors"] = errors.map { TemplateValues(["field": $0.field, "text": $0.text]) }
        data["hasErrors"] = !errors.isEmpty
        let state = referral.state
        data["canAnswer"] = state.awaitsAnswer
        data["canStart"] = state == .accepted
        data["canComplete"] = state == .accepted || state == .inProgress
        data["declineReasons"] = DeclineReason.allCases.map {
            TemplateValues(["id": $0.rawValue, "name": texts["decline_\($0.rawValue)"] ?? $0.rawValue])
        }
        let helps = config.partner(partnerID)?.helps ?? Set(HelpKind.allCases)
        data["kinds"] = HelpKind.allCases.filter(helps.contains).map {
            TemplateValues(["id": $0.rawValue, "name": texts["kind_\($0.rawValue)"] ?? $0.rawValue,
                            "selected": $0 == referral.kind])
        }
        data["today"] = day(visit.now)
        return html(views.render("referral", data), status: status)
    }

    /// One posted answer; 303 back to the referral, or the page with why not.
    func partnerReferralAction(_ visit: Visit) async throws -> Response {
        let texts = visit.texts, form = visit.form
        let number = visit.parameters.get("number") ?? ""
        guard let partnerID = visit.staff.partner else { return message(visit, status: .forbidden, title: texts[.forbidden]) }
        var action: ReferralAction?
        var field = "answer"
        switch form["action"] {
        case "accept": action = .accept
        case "decline":
            field = "decline-reason"
            action = form["reason"].flatMap(DeclineReason.init(rawValue:)).map { .decline($0, note: form["note"] ?? "") }
        case "start": action = .start
        case "complete":
            field = "delivered-what"
            guard let kind = form["kind"].flatMap(HelpKind.init(rawValue:)) else { break }
            guard let on = config.startOfDay(form["on"] ?? "") else {
                return try await partnerReferralPage(visit, errors: [("delivered-on", texts[.badDate])],
                                                     status: .unprocessableContent)
            }
            let amountText = (form["amount"] ?? "").trimmingCharacters(in: .whitespaces)
            let amount = amountText.isEmpty ? nil : Self.parseYuan(amountText)
            if !amountText.isEmpty, amount == nil {
                return try await partnerReferralPage(visit, errors: [("delivered-amount", texts[.badAmount])],
                                                     status: .unprocessableContent)
            }
            action = .complete(Delivery(kind: kind, what: form["what"] ?? "", on: on, amountCents: amount))
        default: break
        }
        guard let action else {
            return try await partnerReferralPage(visit, errors: [(field, texts[.problem])], status: .unprocessableContent)
        }
        do {
            try await store.perform(action, onReferral: number, by: visit.staff.username, as: .partner(id: partnerID),
                                    now: visit.now)
        } catch let error as WorkflowError {
            if error.reason == .unknownReferral {
                return message(visit, status: .notFound, title: texts[.notFound], detail: texts[.noSuchReferral])
            }
            return try await partnerReferralPage(visit, errors: [(field, workflowMessage(error, visit.language))],
                                                 status: .unprocessableContent)
        }
        logger.info("referral answered", metadata: ["referral.number": "\(number)", "referral.action": "\(action.name)",
                                                    "staff.username": "\(visit.staff.username)"])
        return redirect("/partner/referrals/\(number)?done=\(action.name)")
    }

    /// "300", "300.5", "300.50" (yuan) in cents; nil for anything else.
    static func parseYuan(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              let yuan = Int(parts[0]), yuan <= 1_000_000 else { return nil }
        guard parts.count == 2 else { return yuan * 100 }
        let fraction = parts[1]
        guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
              let cents = Int(fraction) else { return nil }
        return yuan * 100 + (fraction.count == 1 ? cents * 10 : cents)
    }
}
