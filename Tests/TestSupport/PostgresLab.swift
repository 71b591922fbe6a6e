import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The private PostgreSQL cluster the tests use (`scripts/postgres-lab`):
/// the one `scripts/test` started (`KIOSK_TEST_POSTGRES`…), or, when a test
/// runs without it, one started here for this test process and stopped at its exit.
/// Each test gets a database of its own.
public final class PostgresLab: Sendable {
    /// `postgres://kiosk@127.0.0.1:PORT/postgres`: the cluster's maintenance database.
    public let url: String
    /// The password of `kiosk`, as the centre reads it: a credential file.
    public let passwordFile: URL
    /// The lab's folder (`scripts/postgres-lab restart DIR` crashes and recovers the server).
    public let folder: URL

    public static let shared: Result<PostgresLab, any Error> = Result { try PostgresLab() }

    /// The shared lab, or the reason it could not start (a test fails with it).
    public static func get() throws -> PostgresLab { try shared.get() }

    private init() throws {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["KIOSK_TEST_POSTGRES"], let password = environment["KIOSK_TEST_POSTGRES_PASSWORD_FILE"],
           let folder = environment["KIOSK_TEST_POSTGRES_LAB"] {
            self.url = url
            passwordFile = URL(fileURLWithPath: password)
            self.folder = URL(fileURLWithPath: folder)
            return
        }
        folder = try temporaryFolder("postgres-lab")
        let started = try runToEnd([Self.script, "start", folder.path])
        guard started.status == 0 else {
            throw SubprocessError(description: "scripts/postgres-lab start: \(started.stderr)")
        }
        PostgresLabStop.folder = folder.path
        atexit { if let folder = PostgresLabStop.folder { _ = try? runToEnd([PostgresLab.script, "stop", folder]) } }
        let printed = try runToEnd([Self.script, "env", folder.path]).stdout
        func value(_ name: String) -> String? {
            printed.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }
                .map { String($0.dropFirst("export \(name)=".count)) }
        }
        guard let url = value("KIOSK_TEST_POSTGRES"), let password = value("KIOSK_TEST_POSTGRES_PASSWORD_FILE") else {
            throw SubprocessError(description: "scripts/postgres-lab env printed no URL: \(printed)")
        }
        self.url = url
        passwordFile = URL(fileURLWithPath: password)
    }

    static let script = repositoryRoot.appendingPathComponent("scripts/postgres-lab").path

    public var password: String {
        get throws { try String(contentsOf: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The URL of another database of this cluster.
    public func url(database: String) -> String {
        url.replacingOccurrences(of: "/postgres", with: "/\(database)", options: [.anchored, .backwards])
    }

    /// A new, empty database; returns its URL.
    public func makeDatabase(_ prefix: String = "centre") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))"
        try psql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs SQL with psql as `kiosk`; its output (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        let result = try runToEnd(["/usr/bin/psql", "--no-psqlrc", "--tuples-only", "--no-align", "--quiet",
                                   "--set", "ON_ERROR_STOP=1", database ?? url, "--command", sql],
                                  environment: ["PGPASSWORD": try password, "PGCONNECT_TIMEOUT": "10"])
        guard result.status == 0 else { throw SubprocessError(description: "psql: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `pg_ctl restart -m immediate`: the server stops as if it crashed and recovers from its log.
    public func crashAndRecover() throws {
        let result = try runToEnd([Self.script, "restart", folder.path])
        guard result.status == 0 else { throw SubprocessError(description: "postgres-lab restart: \(result.stderr)") }
    }
}

/// Where the lab this process started is, for the exit handler (a C function pointer captures nothing).
private enum PostgresLabStop {
    nonisolated(unsafe) static var folder: String?
}
