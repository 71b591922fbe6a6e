import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import IntakeProtocol
import KioskDomain

/// The inbox (red first, each level oldest first) and the ticket scan that
/// every page carries.
extension ConsoleController {
    func inboxPage(_ visit: Visit, ticket: String = "", ticketError: String? = nil) async throws -> Response {
        let texts = visit.texts
        var filter = InboxFilter()
        let state = visit.query("state")
        switch state {
        case nil, "open": filter.scope = .open
        case "all": filter.scope = .all
        case let name?: filter.scope = CaseState(rawValue: name).map { .state($0) } ?? .open
        }
        filter.level = visit.query("level").flatMap(HardshipLevel.init(rawValue:))
        filter.street = visit.query("street")
        filter.assignee = visit.query("adviser").map { $0 == "-" ? "" : $0 }
        filter.overdueOnly = visit.query("overdue") == "1"
        filter.page = visit.query("page").flatMap { Int($0) } ?? 1
        filter.kioskStreet = visit.staff.street
        let page = try await store.inbox(filter, pageSize: config.console.pageSize, now: visit.now)
        let language = visit.language

        let rows = page.rows.map { row in
            InboxRowsHTML.Row(
                reference: row.reference, receipt: row.receiptNumber, level: row.level.rawValue,
                levelName: texts.shortWord(for: row.level),
                reasons: reasons(row, language: language, texts: texts),
                programme: programmeName(row.programme, language), service: serviceName(row.service, row.programme, language),
                street: config.streetName(row.street, language), age: span(visit.now.timeIntervalSince(row.createdAt), texts),
                deadline: dateTime(row.dueAt), overdueText: row.isOverdue(at: visit.now) ? texts[.overdue] : nil,
                assignee: row.assignee ?? "—", state: texts["state_\(row.state.rawValue)"] ?? row.state.rawValue)
        }
        func option(_ value: String, _ label: String, _ selected: Bool) -> TemplateValues {
            TemplateValues(["value": value, "label": label, "selected": selected])
        }
        let stateOptions = [option("open", texts[.openOnly], state == nil || state == "open"),
                            option("all", texts[.all], state == "all")]
            + CaseState.allCases.map { option($0.rawValue, texts.word(for: $0), state == $0.rawValue) }
        let levelOptions = [option("", texts[.all], filter.level == nil)]
            + HardshipLevel.allCases.map { option($0.rawValue, texts.word(for: $0), filter.level == $0) }
        let streetOptions = [option("", texts[.all], filter.street == nil)]
            + config.streets.map { option($0.code, $0.name[language], filter.street == $0.code) }
        let adviserOptions = [option("", texts[.all], filter.assignee == nil),
                              option("-", texts[.unassigned], filter.assignee == "")]
            + (try await store.caseworkers()).map { option($0, $0, filter.assignee == $0) }
        let counts = HardshipLevel.allCases.map { level in
            TemplateValues(["level": level.rawValue, "name": texts.word(for: level), "count": page.openByLevel[level] ?? 0,
             "link": "/inbox?level=\(level.rawValue)"])
        }
        func pageLink(_ number: Int) -> String {
            var items = visit.request.uri.queryParameters.filter { $0.key != "page" }
                .map { "\($0.key)=\(Self.percentEncoded(String($0.value)))" }
            items.append("page=\(number)")
            return "/inbox?" + items.joined(separator: "&")
        }
        let data = frame(visit, title: texts[.inbox], ticket: ticket, ticketError: ticketError)
        data["counts"] = counts
        let returned = try await returnedReferrals(visit)
        data["returned"] = returned
        data["hasReturned"] = !returned.isEmpty
        data["returnedCount"] = returned.count
        let approvals = try await pendingVisitsPanel(visit)
        data["approvals"] = approvals
        data["hasApprovals"] = !approvals.isEmpty
        data["approvalsCount"] = approvals.count
        let followUps = try await followUpsPanel(visit)
        data["followUps"] = followUps
        data["hasFollowUps"] = !followUps.isEmpty
        data["followUpsCount"] = followUps.count
        data["overdue"] = page.overdue
        data["rows"] = InboxRowsHTML.html(rows)
        data["empty"] = rows.isEmpty
        data["found"] = texts.format("cases_found", String(page.matching))
        data["stateOptions"] = stateOptions
        data["levelOptions"] = levelOptions
        data["streetOptions"] = streetOptions
        data["adviserOptions"] = adviserOptions
        data["overdueOnly"] = filter.overdueOnly
        data["pageText"] = texts.format("page", String(page.page), String(page.pageCount))
        data["previous"] = page.page > 1 ? pageLink(page.page - 1) : nil as String?
        data["next"] = page.page < page.pageCount ? pageLink(page.page + 1) : nil as String?
        let status: HTTPResponse.Status = ticketError == nil ? .ok : .unprocessableContent
        return html(views.render("inbox", data), status: status)
    }

    /// The kiosk's triage reasons; when a home visit's level replaced it, saying so first.
    func reasons(_ row: InboxRow, language: Language, texts: [String: String]) -> String {
        let kiosk = row.reasons.map { reasonText($0, language) }.joined(separator: "；")
        return row.levelFromVisit ? texts.format("level_from_visit", kiosk) : kiosk
    }

    /// What a scanner typed (a receipt token, with or without the status
    /// page's URL before it) or a person typed (a receipt number): the case,
    /// or the inbox with the reason it cannot open one.
    func ticketLookup(_ visit: Visit) async throws -> Response {
        let input = String((visit.query("ticket") ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        guard !input.isEmpty else { return redirect("/inbox") }
        switch try await findTicket(input, texts: visit.texts) {
        case let .found(reference):
            return redirect("/cases/\(reference)")
        case let .refused(reason, audit):
            if let audit {
                try await store.audit(actor: visit.staff.username, action: "ticket_refused", detail: audit, now: visit.now)
            }
            return try await inboxPage(visit, ticket: input, ticketError: reason)
        }
    }

    enum TicketResult: Equatable {
        case found(String)
        /// The message for staff, and what the access log keeps (forgeries).
        case refused(String, audit: String?)
    }

    func findTicket(_ input: String, texts: [String: String]) async throws -> TicketResult {
        // A token has four parts split by dots (K1.<receipt>.<time>.<mac>); a
        // receipt number has none.
        let looksLikeToken = input.contains(".")
        if looksLikeToken {
            let receipt: ReceiptNumber
            do { receipt = try ReceiptToken.claimedReceiptNumber(in: input) } catch {
                switch error {
                case .unknownVersion: return .refused(texts[.ticketVersion], audit: nil)
                case .badReceiptNumber(.checkCharacter): return .refused(texts[.ticketForged], audit: "bad check character in token")
                default: return .refused(texts[.ticketMalformed], audit: nil)
                }
            }
            let keys = try await store.receiptKeys(kiosk: receipt.kioskCode)
            guard !keys.isEmpty else {
                return .refused(texts.format("ticket_unknown_kiosk", receipt.kioskCode),
                                audit: "token of unregistered kiosk \(receipt.kioskCode)")
            }
            // Signed under any secret the kiosk has had: tickets outlive a rotation.
            guard keys.contains(where: { (try? ReceiptToken(verifying: input, key: $0)) != nil }) else {
                return .refused(texts[.ticketForged], audit: "forged or altered token for \(receipt)")
            }
            guard let reference = try await store.caseReference(receipt: receipt) else {
                return .refused(texts.format("ticket_not_arrived", receipt.description), audit: nil)
            }
            return .found(reference)
        }
        let typed = input.uppercased().replacingOccurrences(of: " ", with: "")
        let receipt: ReceiptNumber
        do { receipt = try ReceiptNumber(parsing: typed) } catch {
            return .refused(error == .checkCharacter ? texts[.ticketCheck] : texts[.ticketMalformed], audit: nil)
        }
        guard let reference = try await store.caseReference(receipt: receipt) else {
            return .refused(texts.format("ticket_no_case", receipt.description), audit: nil)
        }
        return .found(reference)
    }

    // MARK: Names from the configuration

    func programmeName(_ id: String, _ language: Language) -> String {
        config.catalog.programme(id)?.title(language) ?? id
    }

    func serviceName(_ id: String, _ programme: String, _ language: Language) -> String {
        config.catalog.service(id, in: programme)?.name[language] ?? id
    }

    func partnerName(_ id: String, _ language: Language) -> String {
        config.partner(id)?.name[language] ?? id
    }

    /// A triage reason as the kiosk sent it (`emergency food=none-today`,
    /// `score 14 >= 12 (red)`, `score 3 below thresholds`), in words.
    func reasonText(_ reason: String, _ language: Language) -> String {
        let english = language == .english
        let words = reason.split(separator: " ").map(String.init)
        if words.first == "emergency", words.count == 2, let equals = words[1].firstIndex(of: "=") {
            let question = String(words[1][..<equals]), option = String(words[1][words[1].index(after: equals)...])
            let asked = config.assessment.questions.first { $0.id == question }
            let answer = asked?.option(option)?.label[language] ?? option
            return (english ? "Emergency: " : "紧急：") + answer
        }
        if words.first == "score", words.count == 5, words[2] == ">=" {
            let level = words[4].trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            let name = ConsoleTexts.table(language)["level_short_\(level)"] ?? level
            return english ? "Score \(words[1]) (\(name) from \(words[3]))" : "评估总分 \(words[1])（\(words[3]) 分起为\(name)）"
        }
        if words.first == "score", words.count == 4, words[2] == "below" {
            return english ? "Score \(words[1]) (below the thresholds)" : "评估总分 \(words[1])（低于分级线）"
        }
        return reason
    }
}
