import Foundation
import IntakeProtocol
import KioskDomain

/// The rows a request makes, written once for both engines: the request,
/// its case and the case's first timeline line. SQLite runs them as
/// statements of their own, PostgreSQL as one (`CenterStore.store`): the
/// columns and their values are the same; each engine makes `seq` (and the
/// request's reference) its own way.
struct IntakeRows {
    static let submissionColumns = "seq, id, reference, kiosk_code, receipt_number, hardship, priority, programme, "
        + "service, created_at, received_at, body_digest, sealed_body, source"
    /// After `seq, id, reference`.
    static let submissionValues = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
    static let caseColumns = "seq, priority, street, created_at, received_at, due_at, state, updated_at, sealed_reasons, "
        + "kiosk_street, texts_allowed, phone_key"
    /// After `seq`: a new case, due by its level's deadline, handled by its kiosk's street.
    static let caseValues = "?, ?, ?, ?, ?, 'new', ?, ?, (SELECT street FROM kiosks WHERE code = ?), ?, ?"
    static let messageColumns = "seq, kind, created_by, created_at, send_after, state"
    /// After `seq`: the "received" message to a resident who said yes to texts.
    static let messageValues = "'received', ?, ?, ?, 'queued'"
    static let eventColumns = "seq, at, actor, action, from_state, to_state"
    /// After `seq`.
    static let eventValues = "?, ?, 'received', NULL, 'new'"

    /// The request's values after `seq, id, reference`; empty for the case of a request already held.
    var submission: [any SQLArgument] = []
    var `case`: [any SQLArgument]
    var event: [any SQLArgument]
    /// The "received" message's values, when one is queued (the resident said yes, and messages are on).
    var message: [any SQLArgument]?

    /// A request as it arrives, with its case.
    init(_ item: CenterStore.PreparedSubmission, source: String, receivedAt: Date, due: Date, phoneKey: String,
         messageAfter: Date?) {
        let request = item.submission
        self.init(request, level: item.level, sealedReasons: item.reasons, receivedAt: receivedAt, due: due,
                  phoneKey: phoneKey)
        if let messageAfter, request.applicant.mayText {
            message = ["kiosk " + request.kioskCode, receivedAt.millisecondsSince1970, messageAfter.millisecondsSince1970]
        }
        submission = [request.kioskCode, request.receiptNumber, item.level.rawValue, item.level.priority,
                      request.programme, request.service, request.createdAt.millisecondsSince1970,
                      receivedAt.millisecondsSince1970, item.digest, item.sealed, source]
    }

    /// The case of a request (one held from before cases existed, or one arriving).
    init(_ request: IntakeSubmission, level: HardshipLevel, sealedReasons: Data, receivedAt: Date, due: Date,
         phoneKey: String) {
        let received = receivedAt.millisecondsSince1970
        `case` = [level.priority, request.applicant.street, request.createdAt.millisecondsSince1970, received,
                  due.millisecondsSince1970, received, sealedReasons, request.kioskCode,
                  request.applicant.mayText ? 1 : 0, phoneKey]
        event = [received, "kiosk " + request.kioskCode]
    }

    /// The case, its first timeline line and its first message as statements of their own.
    func openCase(seq: Int64, in db: any SQLConnection) async throws {
        try await db.execute("INSERT INTO cases (\(Self.caseColumns)) VALUES (?, \(Self.caseValues))", [seq] + `case`)
        try await db.execute("INSERT INTO case_events (\(Self.eventColumns)) VALUES (?, \(Self.eventValues))", [seq] + event)
        if let message {
            try await db.execute("INSERT INTO messages (\(Self.messageColumns)) VALUES (?, \(Self.messageValues))",
                                 [seq] + message)
        }
    }
}
