import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation

/// A page of the partner's feed, as `GET /api/partner/v1/referrals` answers.
struct PartnerFeed: Encodable {
    struct Referral: Encodable {
        var number: String
        var kind: String
        var state: String
        var level: String
        var programme: String
        var service: String
        var name: String?
        var phone: String?
        var street: String?
        var residentId: String?
        var note: String?
        var referredBy: String
        var referredAt: Date
        var answerDueAt: Date
        var declineReason: String?
        var delivery: Delivered?
        /// The resident's data was erased after retention.
        var erased: Bool
    }

    struct Delivered: Encodable {
        var kind: String
        var what: String
        var on: String
        var amountCents: Int?
    }

    var referrals: [Referral]
    var cursor: Int64
    var more: Bool

    init(_ page: PartnerFeedPage, timeZone: TimeZone) {
        referrals = page.referrals.map { view in
            Referral(number: view.number, kind: view.kind.rawValue, state: view.state.rawValue, level: view.level.rawValue,
                     programme: view.programme, service: view.service, name: view.name, phone: view.phone,
                     street: view.street, residentId: view.residentID, note: view.note, referredBy: view.referredBy,
                     referredAt: view.createdAt, answerDueAt: view.answerDueAt, declineReason: view.declineReason?.rawValue,
                     delivery: view.delivery.map {
                         Delivered(kind: $0.kind.rawValue, what: $0.what, on: LocalTime($0.on, timeZone).day,
                                   amountCents: $0.amountCents)
                     }, erased: view.erased)
        }
        cursor = page.cursor
        more = page.more
    }
}

/// A partner system's answer: `POST /api/partner/v1/referrals/{number}/answers`.
struct PartnerAnswer: Decodable {
    struct Delivered: Decodable {
        var kind: String
        var what: String
        /// `yyyy-MM-dd`, the centre's time zone.
        var on: String
        var amountCents: Int?
    }

    /// Chosen by the partner's system, once per answer (a UUID suits): a
    /// resend with it is told the result, never applied twice.
    var answerId: String
    /// receive, accept, decline, start or complete.
    var action: String
    var reason: String?
    var note: String?
    var delivery: Delivered?

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ body: Data) throws -> PartnerAnswer {
        let answer = try JSONDecoder().decode(PartnerAnswer.self, from: body)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        guard (8...64).contains(answer.answerId.count), answer.answerId.allSatisfy(allowed.contains) else {
            throw Invalid(description: "answerId: 8 to 64 letters, digits, '-' or '_'")
        }
        return answer
    }

    /// The workflow's action, or why this answer names none.
    func action(config: CenterConfiguration) throws(Invalid) -> ReferralAction {
        switch action {
        case "receive": return .open
        case "accept": return .accept
        case "start": return .start
        case "decline":
            guard let reason = reason.flatMap(DeclineReason.init(rawValue:)) else {
                throw Invalid(description: "decline needs a reason: "
                              + DeclineReason.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return .decline(reason, note: note ?? "")
        case "complete":
            guard let delivery, let kind = HelpKind(rawValue: delivery.kind) else {
                throw Invalid(description: "complete needs a delivery: kind (material, service, psychological), what, on")
            }
            guard let day = config.startOfDay(delivery.on) else {
                throw Invalid(description: "delivery.on: a day written yyyy-MM-dd")
            }
            return .complete(Delivery(kind: kind, what: delivery.what, on: day, amountCents: delivery.amountCents))
        default:
            throw Invalid(description: "action: one of receive, accept, decline, start, complete")
        }
    }
}

/// The centre's reply to an answer.
struct PartnerAnswerReply: Encodable {
    var number: String
    var state: String
    /// This answer id was seen before: nothing was done again.
    var repeated: Bool
}
