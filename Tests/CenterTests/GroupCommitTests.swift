import CentreSQLite
import CentreStore
import Foundation
import GRDB
import Synchronization
import TestSupport
import Testing


/// Counts commits on a database (not statements, not savepoints).
final class CommitCounter: TransactionObserver, Sendable {
    let commits = Atomic<Int>(0)
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .relaxed) }
    func databaseDidRollback(_ db: Database) {}
}

@Suite struct GroupCommitTests {
    @Test func writesArrivingTogetherShareCommitsAndAFailedOneLeavesTheOthersIn() async throws {
        let path = try temporaryFolder("group-commit").appendingPathComponent("test.sqlite").path
        let database = try SQLiteCenterDatabase(path: path)
        let pool = database.writer
        try await pool.write { try $0.execute(sql: "CREATE TABLE rows (n INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)") }
        let counter = CommitCounter()
        pool.add(transactionObserver: counter, extent: .databaseLifetime)
        let group = GroupCommit<Int>(database: database)

        let writes = 300
        let answers = await withTaskGroup(of: (Int, Bool).self) { tasks in
            for n in 0..<writes {
                tasks.addTask {
                    do {
                        let stored = try await group.perform { db in
                            try await db.execute("INSERT INTO rows (n, label) VALUES (?, ?)", [n, "row \(n)"])
                            // Write 7 breaks a constraint after its first insert (its own label again): all of it goes, nothing else.
                            if n == 7 { try await db.execute("INSERT INTO rows (n, label) VALUES (?, ?)", [100_000, "row 7"]) }
                            return n
                        }
                        return (stored, true)
                    } catch {
                        return (n, false)
                    }
                }
            }
            return await tasks.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == writes)
        #expect(answers.filter { !$0.value }.map(\.key) == [7])
        let stored = try await pool.read { try Int.fetchAll($0, sql: "SELECT n FROM rows ORDER BY n") }
        #expect(stored == Array(0..<writes).filter { $0 != 7 })
        // Each caller was answered after its commit; the commits were fewer than the writes.
        #expect(counter.commits.load(ordering: .relaxed) < writes, "\(counter.commits.load(ordering: .relaxed)) commits")
    }
}
