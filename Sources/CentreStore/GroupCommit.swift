import Synchronization

/// Database work that arrives together shares one transaction, and so one
/// fsync. Each piece runs in a savepoint of its own, so one that fails
/// leaves the others in the transaction, and each caller is answered only
/// after the commit that holds its work (or with the error that kept it out).
///
/// No thread of its own: the first caller to find no commit running runs
/// one for everyone waiting; whoever arrived meanwhile runs the next, so
/// nobody's answer waits on more than one commit of others' work.
///
/// SQLite has one writer, so one lane. PostgreSQL runs transactions side by
/// side, and a commit spends most of its time waiting on round trips: there,
/// several lanes commit at once, each its own group on its own connection.
package final class GroupCommit<Value: Sendable>: Sendable {
    package typealias Work = @Sendable (any SQLConnection) async throws -> Value

    private enum Signal: Sendable {
        /// Run the next commit: it holds this caller's piece.
        case lead
        case done(Result<Value, any Error>)
    }

    private struct Piece: Sendable {
        var work: Work
        var signal: AsyncStream<Signal>.Continuation
    }

    private struct Waiting {
        var pieces: [Piece] = []
        var committing = false
    }

    private final class Lane: Sendable {
        let waiting = Mutex(Waiting())
    }

    private let database: any CenterDatabase
    private let lanes: [Lane]
    private let turn = LaneTurn()

    package init(database: any CenterDatabase, lanes count: Int = 1) {
        self.database = database
        lanes = (0..<max(1, count)).map { _ in Lane() }
    }

    /// Runs `work` in the next commit; returns once that commit is durable.
    package func perform(_ work: @escaping Work) async throws -> Value {
        let lane = lanes[turn.next() % lanes.count]
        let (signals, signal) = AsyncStream<Signal>.makeStream()
        let leads = lane.waiting.withLock { waiting in
            waiting.pieces.append(Piece(work: work, signal: signal))
            if waiting.committing { return false }
            waiting.committing = true
            return true
        }
        if leads { await commitWaiting(lane) }
        for await answer in signals {
            switch answer {
            case .lead: await commitWaiting(lane)
            case let .done(result): return try result.get()
            }
        }
        preconditionFailure("a piece of a group commit was never answered")
    }

    /// Commits everything waiting in `lane`, answers it, and hands the next
    /// commit to the first of those who arrived meanwhile.
    private func commitWaiting(_ lane: Lane) async {
        let group = lane.waiting.withLock { waiting in
            defer { waiting.pieces = [] }
            return waiting.pieces
        }
        let results = await commit(group)
        for (piece, result) in zip(group, results) {
            piece.signal.yield(.done(result))
            piece.signal.finish()
        }
        lane.waiting.withLock { waiting in
            if let next = waiting.pieces.first { next.signal.yield(.lead) } else { waiting.committing = false }
        }
    }

    private func commit(_ group: [Piece]) async -> [Result<Value, any Error>] {
        do {
            return try await database.write { db in
                var results: [Result<Value, any Error>] = []
                results.reserveCapacity(group.count)
                for piece in group {
                    do {
                        results.append(.success(try await db.inSavepoint { try await piece.work(db) }))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                return results
            }
        } catch {
            // The commit itself failed (disk full, I/O, the database away): nothing of the group is stored.
            return group.map { _ in .failure(error) }
        }
    }
}

/// Round robin over the lanes. A class of its own: Swift 6.3's optimiser
/// crashes (CopyPropagation, "Found outside of lifetime use") on a release
/// build of a generic class that stores an `Atomic` itself.
private final class LaneTurn: Sendable {
    private let count = Atomic<Int>(0)

    func next() -> Int { count.add(1, ordering: .relaxed).newValue }
}
