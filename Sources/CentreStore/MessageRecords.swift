import CentreMessages
import Foundation
import KioskDomain

/// A message the sender is to send now, with what its template needs: the
/// phone number and language opened from the request, the case's plain facts.
public struct OutgoingMessage: Sendable, Equatable {
    public var id: Int64
    public var kind: MessageKind
    /// The partner of a referral's messages; the outcome's words live in the template.
    public var detail: String?
    public var phone: String
    public var language: Language
    public var receipt: String
    public var dueAt: Date
    /// An adviser's own words (`free_text`).
    public var text: String?
    /// This is the message's `attempts`-th hand-over to the gateway (1 the first).
    public var attempts: Int
}

/// What became of sending one message.
public enum SendResult: Sendable, Equatable {
    case accepted(segments: Int)
    /// The gateway could not take it now (down, busy): tried again later.
    case temporary(String)
    /// The gateway refused it for good (a number it will not send to, a bad request).
    case permanent(String)
}

public enum MessageState: String, Sendable, CaseIterable {
    case queued, sending, sent, delivered, failed, superseded
}

/// A message as the case page lists it (the words are the template's, not kept).
public struct MessageRecord: Sendable, Equatable {
    public var id: Int64
    public var kind: MessageKind
    public var detail: String?
    public var state: MessageState
    public var createdAt: Date
    public var sendAfter: Date
    public var sentAt: Date?
    public var deliveredAt: Date?
    public var failedAt: Date?
    public var statusDetail: String?
    public var attempts: Int
}

/// A resident's reply, as the case page shows it.
public struct MessageReply: Sendable, Equatable {
    public var receivedAt: Date
    public var text: String?
    /// To the follow-up question: 1 yes, 2 no.
    public var answer: Bool?
}
