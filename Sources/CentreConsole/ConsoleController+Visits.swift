import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import KioskDomain

/// Home visits on a case's page: the form (the three dimensions' questions,
/// server-rendered; "work out the level" shows what the answers give before
/// anything is stored), the visits made, and a supervisor's approval of a
/// visit that changes the level; the supervisor's inbox lists those waiting.
extension ConsoleController {
    func visitSection(_ detail: CaseDetail, visit: Visit, chosen: [String: String] = [:],
                      preview wanted: Bool = false) -> TemplateValues {
        let texts = visit.texts, language = visit.language, form = config.homeVisit, weighted = form.weighted
        // What these answers give, against the last visit that counted; nothing is stored.
        let previous = detail.visits.last { $0.state == .recorded || $0.state == .approved }
        let preview = wanted ? HomeVisitScoring.assess(chosen.map { AssessmentAnswer(questionID: $0.key, optionID: $0.value) },
                                                       form: form, previous: previous?.scores) : nil
        func dimensionName(_ dimension: KioskDomain.Dimension) -> String {
            form.sections.first { $0.dimension == dimension }?.name[language] ?? dimension.rawValue
        }
        let visits = detail.visits.map { entry in
            TemplateValues([
                "day": day(entry.input?.visitedOn ?? entry.recordedAt), "by": entry.recordedBy, "met": entry.input?.met,
                "note": entry.input?.note.isEmpty == false ? entry.input?.note : nil,
                "level": entry.level.rawValue, "levelName": texts.word(for: entry.level),
                "from": entry.level == entry.fromLevel ? nil : texts.word(for: entry.fromLevel),
                "state": texts["visit_\(entry.state.rawValue)"] ?? entry.state.rawValue,
                "scores": KioskDomain.Dimension.allCases.map { "\(dimensionName($0)) \(entry.scores[$0])" }.joined(separator: " · "),
                "decision": entry.decisionNote,
            ])
        }
        let pending = detail.visits.last?.state == .pending
        return TemplateValues([
            "formName": form.name[language], "version": String(detail.version), "today": day(visit.now),
            "open": detail.state.isOpen,
            "sections": form.sections.map { section in
                TemplateValues(["name": section.name[language], "questions": section.questions.map { question in
                    TemplateValues(["id": question.id, "prompt": question.prompt[language], "options": question.options.map {
                        // What the page's script adds up: the option's scores as weighted for the total.
                        let scores = weighted.question(question.id)?.option($0.id)?.scores ?? .zero
                        // The field's name is the question's: Mustache would read `id` as the option's inside it.
                        return TemplateValues(["field": "q.\(question.id)", "id": $0.id, "label": $0.label[language],
                                               "checked": chosen[question.id] == $0.id, "economic": scores.economic,
                                               "social": scores.social, "development": scores.development,
                                               "emergency": $0.isEmergency])
                    }])
                }])
            },
            "preview": preview.map { assessed in
                TemplateValues([
                    "level": assessed.level.rawValue, "levelName": texts.word(for: assessed.level),
                    "text": texts.format("visit_gives", texts.word(for: assessed.level), String(assessed.triage.scores.total)),
                    "emergency": assessed.triage.isEmergency,
                    "moved": assessed.movedMost.map { texts.format("visit_moved", dimensionName($0)) },
                    "changes": detail.level == assessed.level ? nil : texts.format("visit_changes", texts.word(for: detail.level)),
                ])
            },
            "visits": visits, "hasVisits": !visits.isEmpty,
            "nextReview": detail.nextReviewAt.map(day),
            "decide": pending && visit.staff.role == .supervisor,
            "yellowAt": form.thresholds.yellowAt, "redAt": form.thresholds.redAt,
            "live": TemplateValues([
                "red": texts.word(for: .red), "yellow": texts.word(for: .yellow), "green": texts.word(for: .green),
                "text": texts.format("visit_live", dimensionName(.economic), dimensionName(.social),
                                     dimensionName(.development)),
            ]),
        ])
    }

    /// The visit form posted: `preview` shows what it gives; else it is recorded.
    func recordVisit(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        let form = visit.form
        var chosen: [String: String] = [:]
        for question in config.homeVisit.questions { if let option = form["q.\(question.id)"] { chosen[question.id] = option } }
        let answers = chosen.map { AssessmentAnswer(questionID: $0.key, optionID: $0.value) }
        if form["preview"] != nil { return try await casePage(visit, look: .view, visitForm: (chosen, true)) }
        guard let day = config.startOfDay(form["visited_on"] ?? ""), day <= visit.now,
              let version = form["version"].flatMap({ Int64($0) }) else {
            return try await casePage(visit, look: .view, errors: [("visited-on", visit.texts[.badDate])],
                                      status: .unprocessableContent, visitForm: (chosen, false))
        }
        let input = VisitInput(visitedOn: day, met: (form["met"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                               answers: answers, note: (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try await store.recordVisit(input, on: reference, expectedVersion: version, by: visit.staff.username,
                                        role: visit.staff.role, form: config.homeVisit, street: visit.staff.street,
                                        now: visit.now)
        } catch let error as WorkflowError {
            return try await casePage(visit, look: .view, errors: [("visit", workflowMessage(error, visit.language))],
                                      status: error.reason == .caseChanged ? .conflict : .unprocessableContent,
                                      visitForm: (chosen, false))
        }
        logger.info("home visit recorded", metadata: ["case.reference": "\(reference)", "staff.username": "\(visit.staff.username)"])
        return redirect("/cases/\(reference)?done=visit#visits")
    }

    /// A supervisor approves the pending visit's level or sends it back with a note.
    func decideVisit(_ visit: Visit) async throws -> Response {
        let reference = visit.parameters.get("reference") ?? ""
        let approve = visit.form["decision"] == "approve"
        do {
            try await store.decideVisit(approve: approve, note: visit.form["note"] ?? "", on: reference,
                                        by: visit.staff.username, role: visit.staff.role, form: config.homeVisit,
                                        street: visit.staff.street, now: visit.now)
        } catch let error as WorkflowError {
            return try await casePage(visit, look: .view, errors: [("visit-decision", workflowMessage(error, visit.language))],
                                      status: .unprocessableContent)
        }
        return redirect("/cases/\(reference)?done=\(approve ? "visit_approved" : "visit_sent_back")#visits")
    }

    /// The supervisor's inbox panel of visits waiting for approval.
    func pendingVisitsPanel(_ visit: Visit) async throws -> [TemplateValues] {
        guard visit.staff.role == .supervisor else { return [] }
        return try await store.pendingVisits(street: visit.staff.street).map { pending in
            TemplateValues(["reference": pending.caseReference, "by": pending.recordedBy, "at": dateTime(pending.recordedAt),
                            "from": visit.texts.word(for: pending.fromLevel), "to": visit.texts.word(for: pending.level),
                            "level": pending.level.rawValue])
        }
    }
}
