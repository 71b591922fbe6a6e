import CentreConfig
import CentrePostgres
import CentreSQLite
import CentreStore
import Foundation
import TestSupport

/// The two places a centre keeps its data; store and HTTP tests run on both.
public enum CenterBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// A new, empty database: a SQLite file in `folder`, or a database of its
    /// own in the test cluster (`PostgresLab`).
    public func makeDatabase(in folder: URL) async throws -> any CenterDatabase {
        switch self {
        case .sqlite:
            return try SQLiteCenterDatabase(path: folder.appendingPathComponent("center.sqlite").path)
        case .postgres:
            let lab = try PostgresLab.get()
            return try await PostgresCenterDatabase(try Self.settings(lab.makeDatabase()), password: try lab.password)
        }
    }

    public static func settings(_ url: String) throws -> PostgresSettings {
        guard let parsed = PostgresSettings.parse(url) else { throw CenterError(description: "not a PostgreSQL URL: \(url)") }
        return try parsed.get()
    }
}

/// A copy of the repository's centre configuration with center.yaml's
/// `database:` line set (or left out), and a credentials folder with the
/// database password beside the keys.
public func centreConfiguration(database line: String?, in folder: URL) throws -> URL {
    let config = folder.appendingPathComponent("center-config")
    let shipped = repositoryRoot.appendingPathComponent("center-config")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    // Copies of what the links point at (the catalog and assessment are the kiosks').
    for name in try FileManager.default.contentsOfDirectory(atPath: shipped.path) {
        try Data(contentsOf: shipped.appendingPathComponent(name)).write(to: config.appendingPathComponent(name))
    }
    if let line {
        let file = config.appendingPathComponent("center.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + "\ndatabase: \(line)\n").write(to: file, atomically: true, encoding: .utf8)
    }
    return config
}
