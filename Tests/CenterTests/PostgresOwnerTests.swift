import CentrePostgres
import CentreStore
import CentreTestSupport
import Foundation
import TestSupport
import Testing


/// The README's schema owner apart from the service, with its very
/// statements: the serving role keeps the centre going (intake, sign-in,
/// retention) and appends to the access log, but can neither change the log
/// nor drop its guards.
@Suite(.serialized) struct PostgresOwnerTests {
    /// The SQL block of the README's "A schema owner apart from the service", with a password filled in.
    static func grants(password: String) throws -> String {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "A schema owner apart from the service"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sql\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        return String(rest[start.upperBound..<end.lowerBound])
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
            .replacingOccurrences(of: "'…'", with: "'\(password)'")
    }

    @Test func aServingRoleThatOwnsNothingServesButCannotTouchTheAccessLog() async throws {
        let lab = try PostgresLab.get()
        let url = try lab.makeDatabase("owned")
        let name = String(url.split(separator: "/").last!)
        // The owner's first start creates the schema.
        let owner = try await CenterStore(database: try await PostgresCenterDatabase(try CenterBackend.settings(url), password: try lab.password),
                                    sealKey: Array(repeating: 4, count: 32))
        _ = try await owner.addKiosk("JA0301")
        owner.close()
        let role = "serve_\(name.suffix(8))", password = "serving-\(UUID().uuidString.prefix(8))"
        let sql = try Self.grants(password: password)
            .replacingOccurrences(of: "kiosk_center_serve", with: role)
            .replacingOccurrences(of: "DATABASE kiosk_center", with: "DATABASE \(name)")
        try lab.psql(sql, database: url)

        let servingURL = url.replacingOccurrences(of: "://kiosk@", with: "://\(role)@")
        let store = try await CenterStore(database: try await PostgresCenterDatabase(try CenterBackend.settings(servingURL), password: password),
                                    sealKey: Array(repeating: 4, count: 32))
        defer { store.close() }
        guard case let .created(reference) = try await store.accept(sample(sequence: 1).0) else {
            throw CenterError(description: "not created")
        }
        try await store.addStaff("li.adviser", role: .adviser, password: CenterFixture.password, actor: "test")
        #expect(try await store.signIn("li.adviser", password: CenterFixture.password,
                                       settings: .standard) != .wrongPassword)
        _ = try await store.caseDetail(reference, viewer: "li.adviser")
        _ = try await store.eraseClosedCases(closedBefore: Date(), actor: "retention")
        #expect(try await store.auditEntries().contains { $0.action == "view_case" && $0.caseReference == reference })

        for statement in ["TRUNCATE audit_log", "DELETE FROM audit_log", "UPDATE audit_log SET actor = 'x'",
                          "DROP TRIGGER audit_log_no_update ON audit_log", "ALTER TABLE audit_log DISABLE TRIGGER ALL"] {
            await #expect(throws: (any Error).self, "\(statement)") { try await store.database.write { try await $0.execute(statement) } }
        }
        #expect(try await store.auditEntries().contains { $0.action == "view_case" })

        // A migration not yet applied (as after an upgrade): the serving role says who must apply it.
        try lab.psql("DELETE FROM centre_migrations WHERE name = 'v6-fleet-view'", database: url)
        let refused = await #expect(throws: CenterError.self) {
            try await PostgresCenterDatabase(try CenterBackend.settings(servingURL), password: password)
        }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("start kiosk-center once as the schema's owner"),
                "\(String(describing: refused))")
    }
}
