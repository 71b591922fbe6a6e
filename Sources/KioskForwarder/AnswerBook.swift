import Foundation
import KioskDomain
import KioskStore
import Logging
import Synchronization

/// Writes the centre's answers to the queue as they arrive, on a queue of
/// its own so the slot that got the answer sends the next request at once.
/// The first answer is written at once; answers that arrive during that
/// write go together in the next one (one fsync, and each index page written
/// once, for all of them). So one slow request never holds back the others'
/// acknowledgements, and a `kill -9` loses at most the answers of the write
/// in progress and those waiting for it (the centre answers their resend
/// with the same reference).
final class AnswerBook: Sendable {
    private struct Answer {
        var id: String
        var receiptNumber: String
        var answer: QueueAnswer
    }

    private struct Waiting {
        var answers: [Answer] = []
        var writing = false
    }

    private let store: KioskStore
    private let logger: Logger
    private let waiting = Mutex(Waiting())
    private let queue = DispatchQueue(label: "forwarder.answers")

    init(store: KioskStore, logger: Logger) {
        self.store = store
        self.logger = logger
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
        let writes = waiting.withLock { state in
            state.answers.append(Answer(id: claim.record.id, receiptNumber: claim.record.receiptNumber, answer: answer))
            if state.writing { return false }
            state.writing = true
            return true
        }
        if writes { queue.async { self.writeUntilNoneWait() } }
    }

    /// Returns once every answer handed over so far is written (or failed).
    func flush() {
        queue.sync {}
    }

    private func writeUntilNoneWait() {
        while true {
            let group = waiting.withLock { state in
                defer { state.answers = [] }
                if state.answers.isEmpty { state.writing = false }
                return state.answers
            }
            if group.isEmpty { return }
            do {
                try store.record(group.map { ($0.id, $0.answer) })
            } catch {
                // The leases run out and the requests are sent again; the centre
                // answers a resend with the same reference.
                logger.error("cannot record answers", metadata: ["answers": "\(group.count)", "error": "\(error)"])
            }
        }
    }
}
