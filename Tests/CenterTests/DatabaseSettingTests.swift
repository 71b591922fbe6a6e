@testable import CentreConfig
import Foundation
import Testing


/// center.yaml's `database:` line: one line switches a centre to PostgreSQL,
/// and a line that cannot work says why.
@Suite struct DatabaseSettingTests {
    @Test func aPostgresURLIsReadWithItsTLSAndPoolSize() throws {
        let settings = try #require(PostgresSettings.parse(
            "postgres://kiosk_center@db.example:6432/district?sslmode=verify-full&sslrootcert=/etc/ssl/district-ca.pem&pool_size=12"))
            .get()
        #expect(settings == PostgresSettings(user: "kiosk_center", host: "db.example", port: 6432, database: "district",
                                             tls: .verifyFull, rootCertificate: "/etc/ssl/district-ca.pem", poolSize: 12))
        #expect(settings.description == "postgres://kiosk_center@db.example:6432/district")
        let plain = try #require(PostgresSettings.parse("postgresql://kiosk@127.0.0.1/centre")).get()
        #expect(plain.port == 5432 && plain.tls == .disable && plain.poolSize == PostgresSettings.defaultPoolSize)
    }

    @Test(arguments: [
        ("postgres://kiosk:secret@db/centre", "password"),
        ("postgres://db.example/centre", "no user"),
        ("postgres://kiosk@db.example", "no database"),
        ("postgres://kiosk@db.example/centre?sslmode=allow", "sslmode"),
        ("postgres://kiosk@db.example/centre?pool_size=0", "pool_size"),
        ("postgres://kiosk@db.example/centre?timeout=3", "unknown URL parameter"),
    ])
    func aURLThatCannotWorkIsRefusedWithTheReason(url: String, reason: String) throws {
        guard case let .failure(problem)? = PostgresSettings.parse(url) else {
            Issue.record("\(url) was accepted")
            return
        }
        #expect(problem.description.contains(reason), "\(problem)")
        #expect(!problem.description.contains("secret"), "a password is never repeated")
    }

    @Test func aSQLitePathOrNothingKeepsTheEmbeddedDatabase() {
        #expect(PostgresSettings.parse("/var/lib/kiosk-center/center.sqlite") == nil)
        #expect(PostgresSettings.parse("center.sqlite") == nil)
    }
}
