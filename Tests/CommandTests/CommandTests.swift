import Foundation
import KioskDomain
import TestSupport
import Testing

let shippedConfig = repositoryRoot.appendingPathComponent("kiosk-config")

/// Runs one of our executables as a technician would, with a clean environment.
func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> RunResult {
    try runToEnd([product(tool)] + arguments, environment: environment, input: input)
}

func brokenConfigCopy() throws -> URL {
    let folder = try temporaryFolder("config").appendingPathComponent("kiosk-config")
    try FileManager.default.copyItem(at: shippedConfig, to: folder)
    let catalog = folder.appendingPathComponent("catalog.yaml")
    try (try String(contentsOf: catalog, encoding: .utf8))
        .replacingOccurrences(of: "programme: inclusion, kind: material", with: "programme: nowhere, kind: material")
        .write(to: catalog, atomically: true, encoding: .utf8)
    let kiosk = folder.appendingPathComponent("kiosk.yaml")
    try (try String(contentsOf: kiosk, encoding: .utf8))
        .replacingOccurrences(of: "session:\n", with: "session:\n  idle_timout_seconds: 5\n")
        .write(to: kiosk, atomically: true, encoding: .utf8)
    return folder
}

@Suite struct KioskctlTests {
    @Test func configCheckSaysOKForTheShippedConfiguration() throws {
        let result = try run("kioskctl", ["config", "check", shippedConfig.path])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("configuration OK"))
    }

    @Test func configCheckListsEveryProblemAsFileLineMessage() throws {
        let folder = try brokenConfigCopy()
        let result = try run("kioskctl", ["config", "check"], environment: ["KIOSK_CONFIG": folder.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let pattern = /^(.+\.yaml):(\d+): (.+)$/
        #expect(lines.allSatisfy { $0.wholeMatch(of: pattern) != nil })
        #expect(lines.contains { $0.contains("catalog.yaml:") && $0.contains("'nowhere', which is not listed") })
        #expect(lines.contains { $0.contains("kiosk.yaml:") && $0.contains("unknown key 'idle_timout_seconds'") })
    }

    @Test func catalogJSONListsProgrammesAndServicesInBothLanguages() throws {
        let result = try run("kioskctl", ["catalog", "--json", "--config", shippedConfig.path])
        #expect(result.status == 0)
        struct Listing: Decodable {
            struct Name: Decodable {
                var zh: String
                var en: String
                enum CodingKeys: String, CodingKey { case zh = "zh-Hans", en }
            }
            struct Service: Decodable { var id: String; var name: Name; var kind: String }
            struct Programme: Decodable { var id: String; var name: Name; var services: [Service] }
            var programmes: [Programme]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(result.stdout.utf8))
        #expect(listing.programmes.count == 5)
        #expect(listing.programmes.flatMap(\.services).count >= 20)
        #expect(listing.programmes.first?.name.zh.hasPrefix("花样伙伴") == true)
        #expect(Set(listing.programmes.flatMap(\.services).map(\.kind)) == ["material", "service", "psychological"])
    }
}

@Suite struct KioskdStartupTests {
    @Test func refusesToStartOnBadConfigurationWithTheSameMessages() throws {
        let folder = try brokenConfigCopy()
        let check = try run("kioskctl", ["config", "check", folder.path])
        let state = try temporaryFolder("state")
        let daemon = try run("kioskd", ["migrate", "--config", folder.path, "--state", state.path])
        #expect(daemon.status == 1)
        for line in check.stderr.split(separator: "\n") {
            #expect(daemon.stderr.contains("kioskd: error: \(line)"))
        }
        #expect(daemon.stderr.contains("refusing to start"))
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("kiosk.sqlite").path))
    }

    @Test func refusesToStartOnADamagedDatabaseAndLeavesIt() throws {
        let state = try temporaryFolder("state")
        let env = ["KIOSK_CONFIG": shippedConfig.path, "KIOSK_STATE": state.path]
        #expect(try run("kioskctl", ["credentials", "init"], environment: env).status == 0)
        #expect(try run("kioskd", ["migrate"], environment: env).status == 0)
        let database = state.appendingPathComponent("kiosk.sqlite")
        let junk = Data(repeating: 0x42, count: 4096)
        try junk.write(to: database)
        let result = try run("kioskd", ["migrate"], environment: env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("is damaged"))
        #expect(try Data(contentsOf: database) == junk)
    }

    /// Migrations and the purge never open a request, so they run without
    /// any key (their units load none); the roles that do refuse without one.
    @Test func migrateAndPurgeNeedNoKeyTheRolesDo() throws {
        let state = try temporaryFolder("state")
        let env = ["KIOSK_CONFIG": shippedConfig.path, "KIOSK_STATE": state.path]
        let ready = try run("kioskd", ["migrate"], environment: env)
        #expect(ready.status == 0, "\(ready.stderr)")
        #expect(ready.stderr.contains("kioskd-migrate: notice: database ready"), "\(ready.stderr)")
        let purge = try run("kioskctl", ["purge"], environment: env)
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("credentials").path), "no key made or read")
        let forwarder = try run("kioskd", ["forwarder"], environment: env)
        #expect(forwarder.status == 1)
        #expect(forwarder.stderr.contains("kioskctl credentials init"))
    }
}

/// What every program says about itself: its version, and how it exits.
@Suite struct ProgramConventionTests {
    @Test(arguments: ["kioskd", "kioskctl", "kiosk-center"])
    func versionHelpAndUsageErrors(program: String) throws {
        let version = try run(program, ["--version"])
        #expect(version.status == 0 && version.stdout == KioskVersion.current + "\n", "\(version.stdout)")
        let help = try run(program, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("EXIT STATUS:") && help.stdout.contains("64"), "\(help.stdout)")
        let wrong = try run(program, ["--no-such-option"])
        #expect(wrong.status == 64, "a usage error is EX_USAGE: \(wrong.status)")
    }
}

/// Every receipt number the project shows as an example (README, docs,
/// help texts, the console's hints, assets) passes its own check character:
/// a technician who copies one to try a command must not get "wrong check
/// character" for the manual's mistake.
@Suite struct DocumentedExamplesTests {
    @Test func everyExampleReceiptNumberIsValid() throws {
        let pattern = try NSRegularExpression(pattern: "\\b[A-Z]{2}[0-9]{4}-[0-9]{6}-[0-9]{4}-[0-9A-Z]\\b")
        var checked = 0
        for folder in ["README.md", "docs", "Sources", "assets", "kiosk-config", "center-config", "systemd", "packaging"] {
            let root = repositoryRoot.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: root.path).map { $0.compactMap { $0 as? String } }
                .map { $0.map { root.appendingPathComponent($0) } } ?? [root]
            for file in files {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let example = String(text[Range(match.range, in: text)!])
                    #expect((try? ReceiptNumber(parsing: example)) != nil, "\(file.lastPathComponent): \(example)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 5, "the examples were found (\(checked))")
    }
}
