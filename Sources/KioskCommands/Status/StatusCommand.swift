import ArgumentParser
import CupsPrinting
import Foundation
import KioskDomain
import KioskFront
import KioskMetrics
import KioskStore

/// `kioskctl status [--json]`: is this kiosk taking and delivering requests?
/// Exit 0 ok, 1 degraded, 2 down, for monitoring.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Roles, queue, centre, printer and disk; exit 0 ok, 1 degraded, 2 down.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        var health: KioskHealth
        do {
            // A key file missing keeps a role from starting at all.
            let missingKeys = try KioskEnvironment.credentialProblems(options)
            do {
                health = try KioskHealth.gather(try KioskEnvironment.open(options))
            } catch let failure as CommandFailure {
                throw CommandFailure(description: (missingKeys + [failure.description]).joined(separator: "\n"))
            }
            if !missingKeys.isEmpty {
                health.problems = missingKeys + health.problems
                health.overall = .down
            }
        } catch let failure as CommandFailure {
            // No configuration or no database: nothing can run. Monitoring
            // reading --json still gets JSON, in the shape of a full report.
            let unreadable = KioskHealth.Unreadable(problems: failure.description.split(separator: "\n").map(String.init))
            print(json ? try unreadable.json() : unreadable.text())
            throw ExitCode(KioskHealth.Overall.down.exitCode)
        }
        print(json ? try health.json() : health.text())
        if health.overall != .ok { throw ExitCode(health.overall.exitCode) }
    }
}

/// `kioskctl metrics`: the kiosk's health from its database and the
/// counters its services wrote, as Prometheus text; no key, no personal data.
/// `--textfile` writes it whole for node_exporter's textfile collector.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the kiosk's health and its services' counters as Prometheus text (exit 2 if it cannot be read).",
        discussion: """
            Without a readable configuration or database it still writes kiosk_health 2, so an alert fires \
            instead of the series going stale.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp(
        "Write to this file instead (atomically, mode 0644), e.g. /var/lib/prometheus/node-exporter/kiosk.prom.",
        valueName: "FILE"))
    var textfile: String?

    func run() throws {
        var text: String
        var failure: CommandFailure?
        do {
            text = try KioskHealth.gather(try KioskEnvironment.open(options)).prometheus()
        } catch let error as CommandFailure {
            failure = error
            text = KioskHealth.downMetrics()
        }
        text += MetricsCommand.serviceCounters(in: options.metricsDirectory)
        if let textfile {
            do { try MetricsFile.replace(URL(fileURLWithPath: textfile), with: Data(text.utf8)) } catch {
                throw CommandFailure(description: "cannot write \(textfile): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
        if let failure {
            throw CommandFailure(description: "down: \(failure.description)", exitCode: KioskHealth.Overall.down.exitCode)
        }
    }

    /// The `<role>.prom` files the services keep, joined in name order.
    static func serviceCounters(in folder: URL) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".prom") && !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)).map { text in
                text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
            }
        }.joined()
    }
}

extension KioskHealth {
    /// What `status --json` says when nothing could be read: the same keys
    /// as a full report, unknown ones `null`, so monitoring parses one shape.
    struct Unreadable: Encodable {
        var overall = Overall.down
        var problems: [String]
        @NullWhenUnset var kiosk: String? = nil
        var version = KioskVersion.current
        var checkedAt = Date()
        var roles: [String: Role] = [:]
        @NullWhenUnset var queue: Queue? = nil
        @NullWhenUnset var lastForward: Date? = nil
        @NullWhenUnset var centre: Centre? = nil
        @NullWhenUnset var printer: Printer? = nil
        @NullWhenUnset var lastScreenRender: Date? = nil
        @NullWhenUnset var disk: Disk? = nil
        @NullWhenUnset var databaseCheck: String? = nil
        var printJobs: [String: Int] = [:]

        func json() throws -> String { try JSONOutput.string(self, pretty: true) }

        func text() -> String {
            (["kiosk: down (kioskctl \(version))", "problems:"] + problems.map { "  - \($0)" }).joined(separator: "\n")
        }
    }

    /// Reads the facts from the store, the configuration and the file system.
    static func gather(_ environment: KioskEnvironment, now: Date = Date()) throws -> KioskHealth {
        let store = environment.store
        let config = environment.config
        do {
            let forwarder = config.forwarder
            let facts = HealthFacts(
                now: now, kiosk: config.identity.kioskCode, statuses: try store.statuses(),
                queue: try store.queueSummary(), lastForward: try store.lastForwardedAt(),
                printerQueue: config.printer.queue, printJobs: try store.printJobCounts(),
                disk: diskSpace(at: environment.options.stateDirectory.path),
                heartbeatGrace: [
                    "front": FrontHeartbeat.interval * 3,
                    "forwarder": forwarder.heartbeatInterval * 3 + forwarder.timeout,
                ],
                processExists: { pid in kill(pid, 0) == 0 || errno == EPERM },
                jobFilesWarning: JobFileRetention.ofServer().warning)
            return evaluate(facts)
        } catch {
            throw CommandFailure(description: "cannot read the kiosk's state: \(error)")
        }
    }

    static func diskSpace(at path: String) -> Disk? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let block = Int64(info.f_frsize)
        return Disk(freeBytes: Int64(info.f_bavail) * block, totalBytes: Int64(info.f_blocks) * block)
    }
}
