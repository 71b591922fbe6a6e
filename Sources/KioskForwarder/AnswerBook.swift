import Foundation
import KioskDomain
import KioskStore
import Logging

/// Writes the centre's answers to the queue as they arrive, through a
/// `GroupWriter`, so the slot that got an answer sends the next request at
/// once: the first answer is written at once, and answers that arrive during
/// that write go together in the next one (one fsync, and each index page
/// written once, for all of them). So one slow request never holds back the
/// others' acknowledgements, and a `kill -9` loses at most the answers of the
/// write in progress and those waiting for it (the centre answers their
/// resend with the same reference).
final class AnswerBook: Sendable {
    private struct Answer: Sendable {
        var id: String
        var answer: QueueAnswer
    }

    private let logger: Logger
    private let writer: GroupWriter<Answer>

    init(store: KioskStore, logger: Logger) {
        self.logger = logger
        writer = GroupWriter(label: "forwarder.answers") { group in
            do {
                try store.record(group.map { ($0.id, $0.answer) })
            } catch {
                // The leases run out and the requests are sent again; the centre
                // answers a resend with the same reference.
                logger.error("cannot record answers", metadata: ["answers": "\(group.count)", "error": "\(error)"])
            }
        }
    }

    /// Hands what `outcome` means for `claim` to the writer.
    func record(_ claim: Claim, _ outcome: Forwarder.Outcome, backoff: Duration) {
        let answer: QueueAnswer
        switch outcome {
        case let .forwarded(reference):
            answer = .forwarded(reference: reference)
        case let .refused(reason):
            answer = .dead(reason: reason)
            logger.error("centre refused a request; set aside", metadata: ["receipt.number": "\(claim.record.receiptNumber)", "reason": "\(reason)"])
        case let .retry(reason):
            answer = .retry(error: reason, at: Date().addingTimeInterval(backoff.seconds))
        }
        writer.add(Answer(id: claim.record.id, answer: answer))
    }

    /// Returns once every answer handed over so far is written (or failed).
    func flush() {
        writer.flush()
    }
}
