import Dispatch
import GRDB
import Synchronization

/// Writes that arrive together share one transaction, and so one fsync.
///
/// The first write to arrive starts a commit on the committer's own queue;
/// writes that arrive while it runs wait and go together in the next. Each
/// write runs in a savepoint of its own, so one that fails leaves the others
/// in the transaction, and each caller is answered only after the commit
/// that holds its write (or with the error that kept it out). One queue hop
/// per commit, not per write: the callers' tasks only wait.
final class GroupCommit<Value: Sendable>: Sendable {
    typealias Work = @Sendable (Database) throws -> Value

    private struct Waiting {
        var writes: [(work: Work, answer: CheckedContinuation<Value, any Error>)] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let waiting = Mutex(Waiting())
    private let queue: DispatchQueue

    init(pool: DatabasePool, label: String) {
        self.pool = pool
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` in the next commit; returns once that commit is durable.
    func perform(_ work: @escaping Work) async throws -> Value {
        try await withCheckedThrowingContinuation { answer in
            let startsCommitting = waiting.withLock { state in
                state.writes.append((work, answer))
                if state.committing { return false }
                state.committing = true
                return true
            }
            if startsCommitting { queue.async { self.commitUntilNoneWait() } }
        }
    }

    private func commitUntilNoneWait() {
        while true {
            let group = waiting.withLock { state in
                let group = state.writes
                state.writes = []
                if group.isEmpty { state.committing = false }
                return group
            }
            if group.isEmpty { return }
            let results: [Result<Value, any Error>]
            do {
                results = try pool.write { db in
                    group.map { write in
                        Result {
                            var value: Value?
                            try db.inSavepoint {
                                value = try write.work(db)
                                return .commit
                            }
                            return value!
                        }
                    }
                }
            } catch {
                // The commit itself failed (disk full, I/O): nothing of the group is stored.
                results = group.map { _ in .failure(error) }
            }
            for (write, result) in zip(group, results) { write.answer.resume(with: result) }
        }
    }
}
