import CentreStore
import CentreTestSupport
import Foundation
import TestSupport
import Testing


/// The store's `?` become PostgreSQL's `$n` only where PostgreSQL would read
/// a parameter: never inside a string, a quoted identifier, a dollar-quoted
/// body or a comment, so no later value shifts into another column.
@Suite struct SQLPlaceholderTests {
    @Test(arguments: [
        ("SELECT ? , ?", "SELECT $1 , $2"),
        ("SELECT '?', ?", "SELECT '?', $1"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"),
        ("SELECT E'\\'?', ?", "SELECT E'\\'?', $1"),
        ("SELECT e'a\\\\', ?", "SELECT e'a\\\\', $1"),
        ("SELECT \"col?\" FROM t WHERE a = ?", "SELECT \"col?\" FROM t WHERE a = $1"),
        ("SELECT \"a\"\"?\", ?", "SELECT \"a\"\"?\", $1"),
        ("SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1"),
        ("SELECT $fn$ it's ? $fn$, ?", "SELECT $fn$ it's ? $fn$, $1"),
        ("SELECT ? -- why ? here\n, ?", "SELECT $1 -- why ? here\n, $2"),
        ("SELECT /* ? /* nested ? */ still ? */ ?", "SELECT /* ? /* nested ? */ still ? */ $1"),
        ("SELECT a-b, ?", "SELECT a-b, $1"),
        ("SELECT pg_advisory_lock(1), ?", "SELECT pg_advisory_lock(1), $1"),
        ("SELECT name' ?", "SELECT name' ?"),
        ("SELECT 'open ?", "SELECT 'open ?"),
    ])
    func placeholdersAreNumberedOnlyOutsideTextAndComments(sql: String, expected: String) {
        #expect(SQLPlaceholders.numbered(sql) == expected)
    }

    /// On the real server: each value lands where it was bound.
    @Test func theRealServerReadsEachValueInItsPlace() async throws {
        let database = try await CenterBackend.postgres.makeDatabase(in: try temporaryFolder("placeholders"))
        defer { database.close() }
        let row = try await #require(try database.read { db in
            try await db.fetchOne("""
                SELECT /* a ? in a comment */ ? AS first, '?' AS quoted, $$?$$ AS dollar, E'\\'?' AS escaped,
                       "x?".y AS second -- and ? here
                FROM (SELECT ? AS y) "x?"
                """, ["one", "two"])
        })
        #expect(row["first"] as String == "one" && row["second"] as String == "two")
        #expect(row["quoted"] as String == "?" && row["dollar"] as String == "?" && row["escaped"] as String == "'?")
    }
}
