import CentreMessages
import CentreWorkflow
import Foundation
import KioskDomain

extension CenterStore {
    /// An adviser's own message to the resident of an open case: the same
    /// length rule as the templates (signature included), sealed, sent as
    /// soon as the sender runs, written to the timeline and the access log.
    public func sendFreeText(_ text: String, on reference: String, by actor: String, role: StaffRole,
                             street: String? = nil, now: Date = Date()) async throws {
        guard role.handlesCases else { throw WorkflowError(reason: .roleCannot) }
        guard let messaging else { throw WorkflowError(reason: .textsOff) }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw WorkflowError(reason: .textRequired) }
        let scope = StreetScope(street: street)
        try await database.write { db in
            let (seq, state, uuid) = try await Self.openCase(db, reference: reference, scope: scope)
            guard try await db.fetchValue("SELECT texts_allowed FROM cases WHERE seq = ?", [seq]) == (1 as Int64)
            else { throw WorkflowError(reason: .textsNotAllowed) }
            let body: Data = try await db.fetchValue("SELECT sealed_body FROM submissions WHERE seq = ?", [seq]) ?? Data()
            let language = try self.openBody(body, id: uuid).flatMap { Language(rawValue: $0.language) }
            let length = SMSLength(messaging.templates.render(.freeText, language: language ?? .chinese, values: ["text": trimmed]))
            if length.segments > messaging.templates.maxSegments {
                throw WorkflowError(reason: .textTooLong(segments: length.segments, most: messaging.templates.maxSegments))
            }
            try await self.queueMessage(.freeText, seq: seq, allowed: true, sealedText: try self.sealer.seal(Data(trimmed.utf8), boundTo: uuid),
                                        actor: actor, now: now, in: db)
            try await Self.caseLine(db, seq: seq, state: state, action: "text_message", actor: actor, detail: "\(length.segments)",
                                    at: now.millisecondsSince1970)
            try await Self.audit(db, actor: actor, action: "text_message", case: reference, detail: "\(length.segments)", at: now)
        }
    }
}
