import KioskStore

/// Database work that arrives together shares one transaction, and so one
/// fsync: a `GroupWriter` whose items are pieces of work. Each piece runs
/// in a savepoint of its own, so one that fails leaves the others in the
/// transaction, and each caller is answered only after the commit that
/// holds its work (or with the error that kept it out). One queue hop per
/// commit, not per piece: the callers' tasks only wait.
final class GroupCommit<Value: Sendable>: Sendable {
    typealias Work = @Sendable (any SQLConnection) throws -> Value

    private struct Piece: Sendable {
        var work: Work
        var answer: CheckedContinuation<Value, any Error>
    }

    private let writer: GroupWriter<Piece>

    init(database: any CenterDatabase, label: String) {
        writer = GroupWriter(label: label) { group in
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
    }

    /// Runs `work` in the next commit; returns once that commit is durable.
    func perform(_ work: @escaping Work) async throws -> Value {
        try await withCheckedThrowingContinuation { writer.add(Piece(work: work, answer: $0)) }
    }
}
