import ArgumentParser
import CentreConfig
import CentreDistrictMove
import CentrePostgres
import CentreStore
import Foundation
import StorageSupport

/// Moves a street centre's SQLite database into the district's PostgreSQL.
struct MigrateToPostgres: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to-postgres",
        abstract: "Move a street centre's data (center.sqlite) into the district's PostgreSQL database.",
        discussion: """
            Copies kiosks and their secrets, staff accounts, every request with its case and timeline, and the \
            access log; sessions and heartbeats are not moved. Resident data is opened with the street centre's \
            seal key (--from-credentials) and sealed again with this centre's (--credentials). Each batch is one \
            transaction and a request already in the district is skipped: an interrupted run is run again, and a \
            second run changes nothing. At the end both databases are compared by counts and digests (exit 1 if \
            they differ). References the district already uses are replaced by new ones. The password of the \
            database user is read from center-database.password in the credentials folder. The SQLite file is \
            first brought to this version's schema, as `kiosk-center serve` would.
            """)
    @OptionGroup var options: CenterOptions
    @Option(help: ArgumentHelp("The street centre's database.", valueName: "center.sqlite")) var from: String
    @Option(help: ArgumentHelp("The district's database: postgres://USER@HOST:PORT/NAME?sslmode=…", valueName: "URL"))
    var to: String
    @Option(help: ArgumentHelp("""
        The street centre's credentials folder, with its center-seal.key (default: --credentials, for a centre \
        that keeps its key).
        """, valueName: "DIR"))
    var fromCredentials: String?
    @Option(help: ArgumentHelp("The street of the kiosks, cases and staff that have none (a street code of center.yaml).",
                               valueName: "CODE"))
    var street: String?
    @Option(help: "Requests per transaction.") var batchSize = 200

    func validate() throws {
        guard (1...5_000).contains(batchSize) else { throw ValidationError("--batch-size is 1 to 5000") }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        if let street { try options.requireStreet(street, in: configuration) }
        guard case let .success(settings)? = PostgresSettings.parse(to) else {
            if case let .failure(problem)? = PostgresSettings.parse(to) { throw CenterFailure(problem.description) }
            throw CenterFailure("--to must be a PostgreSQL URL: postgres://USER@HOST:PORT/NAME")
        }
        let file = URL(fileURLWithPath: from).standardizedFileURL
        guard FileManager.default.fileExists(atPath: file.path) else { throw CenterFailure("no database at \(file.path)") }
        let sourceKeys = fromCredentials.map { CredentialStore(directory: URL(fileURLWithPath: $0, isDirectory: true), createdBy: "kiosk-center credentials init") }
            ?? options.credentialStore
        let sourceKey: [UInt8], districtKey: [UInt8]
        do {
            sourceKey = try sourceKeys.key(named: CenterOptions.sealKeyName)
            districtKey = try options.credentialStore.key(named: CenterOptions.sealKeyName)
        } catch {
            throw CenterFailure("\(error)")
        }
        let source: CenterStore, district: CenterStore
        do {
            source = try await CenterStore(path: file.path, sealKey: sourceKey, deadlines: configuration.deadlines,
                                     timeZone: configuration.timeZone)
            district = try await CenterStore(database: try await PostgresCenterDatabase(settings, password: try options.databasePassword()),
                                       sealKey: districtKey, deadlines: configuration.deadlines,
                                       timeZone: configuration.timeZone)
        } catch let error as CenterError {
            throw CenterFailure(error.description)
        } catch let error as DatabaseUnavailable {
            throw CenterFailure(error.description)
        }
        do {
            try await move(source, into: district, settings: settings, file: file)
        } catch {
            district.close()
            throw error
        }
        district.close()
    }

    private func move(_ source: CenterStore, into district: CenterStore, settings: PostgresSettings, file: URL) async throws {
        // The source's name in the district: where its access log was copied up to.
        let name = file.path
        print("moving \(file.path) into \(settings)")
        let move = try await CenterCommandFailure.wrap {
            try await source.move(into: district, source: name, street: street, batchSize: batchSize) { done in
                FileHandle.standardError.write(Data("  \(done) requests\n".utf8))
            }
        }
        print("requests: \(move.requests) (\(move.moved) moved now, \(move.alreadyThere) already there, "
              + "\(move.renumbered) under a new reference)")
        print("staff: \(move.staffAdded) added, \(move.staffKept) kept (the district had the name)")
        print("kiosks: \(move.kiosksAdded) added, \(move.kiosksKept) kept")
        print("access log: \(move.auditLines) lines copied now")
        let check = try await source.compare(with: district, source: name)
        print("check: \(check.held) of \(check.requests) requests, \(check.eventsHeld) of \(check.events) timeline lines, "
              + "\(check.auditLinesCopied) of \(check.auditLines) access-log lines")
        print("digest: \(check.digest) here, \(check.digestHeld) in the district")
        guard check.agrees else { throw CenterFailure("the district's copy DIFFERS from \(file.path): run the move again") }
        print("counts and digests agree")
    }
}
