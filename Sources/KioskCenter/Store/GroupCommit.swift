import StorageSupport
import Synchronization

/// Database work that arrives together shares one transaction, and so one
/// fsync: a `GroupWriter` whose items are pieces of work. Each piece runs
/// in a savepoint of its own, so one that fails leaves the others in the
/// transaction, and each caller is answered only after the commit that
/// holds its work (or with the error that kept it out). One queue hop per
/// commit, not per piece: the callers' tasks only wait.
///
/// SQLite has one writer, so one lane. PostgreSQL runs transactions side by
/// side, and a commit spends most of its time waiting on round trips: there,
/// several lanes commit at once, each its own group on its own connection.
final class GroupCommit<Value: Sendable>: Sendable {
    typealias Work = @Sendable (any SQLConnection) throws -> Value

    private struct Piece: Sendable {
        var work: Work
        var answer: CheckedContinuation<Value, any Error>
    }

    private let lanes: [GroupWriter<Piece>]
    private let turn = LaneTurn()

    init(database: any CenterDatabase, label: String, lanes count: Int = 1) {
        lanes = (0..<max(1, count)).map { lane in
            GroupWriter(label: "\(label).\(lane)") { group in
                Self.commit(group, to: database)
            }
        }
    }

    private static func commit(_ group: [Piece], to database: any CenterDatabase) {
        let results: [Result<Value, any Error>]
        do {
            results = try database.write { db in
                group.map { piece in
                    Result { try db.inSavepoint { try piece.work(db) } }
                }
            }
        } catch {
            // The commit itself failed (disk full, I/O): nothing of the group is stored.
            results = group.map { _ in .failure(error) }
        }
        for (piece, result) in zip(group, results) { piece.answer.resume(with: result) }
    }

    /// Runs `work` in the next commit; returns once that commit is durable.
    func perform(_ work: @escaping Work) async throws -> Value {
        let lane = lanes[turn.next() % lanes.count]
        return try await withCheckedThrowingContinuation { lane.add(Piece(work: work, answer: $0)) }
    }
}

/// Round robin over the lanes. A class of its own: Swift 6.3's optimiser
/// crashes (CopyPropagation, "Found outside of lifetime use") on a release
/// build of a generic class that stores an `Atomic` itself.
private final class LaneTurn: Sendable {
    private let count = Atomic<Int>(0)

    func next() -> Int { count.add(1, ordering: .relaxed).newValue }
}
