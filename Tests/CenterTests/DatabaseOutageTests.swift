import CentreConfig
import CentreConsole
import CentrePostgres
import CentreStore
import CentreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// PostgreSQL away (restarting, refusing connections): the console tells
/// staff nothing was saved and to try again, intake refuses for now (the
/// kiosk keeps the request), and both work again when it is back, without
/// restarting the centre.
@Suite(.serialized) struct DatabaseOutageTests {
    @Test func whileTheDatabaseIsAwayTheConsoleSaysTryAgainAndEverythingWorksWhenItIsBack() async throws {
        let lab = try PostgresLab.get()
        let url = try lab.makeDatabase("outage")
        let name = String(url.split(separator: "/").last!)
        let config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        let store = try await CenterStore(database: try await PostgresCenterDatabase(try CenterBackend.settings(url), password: try lab.password),
                                    sealKey: Array(repeating: 7, count: 32))
        defer { store.close() }
        _ = try await store.addKiosk("JA0301")
        try await store.addStaff("li.adviser", role: .adviser, password: CenterFixture.password, actor: "test")
        let views = try ConsoleViews(assets: repositoryRoot.appendingPathComponent("assets"))
        let app = Application(router: ConsoleController(store: store, config: config, views: views,
                                                    logger: Logger(label: "outage-test")).router())
        try await app.test(.router) { client in
            let session = try await client.signIn("li.adviser", CenterFixture.password)
            // Away: every connection ended, new ones refused.
            try lab.psql("ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
            try lab.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
            // pg_terminate_backend only signals: wait until the backends are gone.
            let deadline = Date().addingTimeInterval(10)
            while try lab.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)'") != "0", Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let away = try await client.get("/inbox", session)
            #expect(away.status == .serviceUnavailable && away.headers[.retryAfter] == "5")
            #expect(away.text.contains("暂时无法访问数据库") && away.text.contains("没有保存"))
            await #expect(throws: DatabaseUnavailable.self) { try await store.accept(sample(sequence: 1).0) }

            // Back: the same process, the same session.
            try lab.psql("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
            let back = try await client.get("/inbox", session)
            #expect(back.status == .ok)
            guard case .created = try await store.accept(sample(sequence: 1).0) else {
                Issue.record("the request was not stored once the database was back")
                return
            }
            #expect(try await store.submissionCounts().total == 1)
        }
    }
}
