import ArgumentParser
import CupsPrinting
import Foundation
import KioskFront
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
            health = try KioskHealth.gather(try KioskEnvironment.open(options))
            // A key file missing keeps a role from starting at all.
            let missing = try KioskEnvironment.credentialProblems(options)
            if !missing.isEmpty {
                health.problems = missing + health.problems
                health.overall = .down
            }
        } catch let failure as CommandFailure {
            // No database, no keys or no configuration: nothing can run.
            // Monitoring reading --json still gets JSON.
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                struct Down: Encodable { var overall = "down"; var problems: [String] }
                let problems = failure.description.split(separator: "\n").map(String.init)
                print(String(decoding: try encoder.encode(Down(problems: problems)), as: UTF8.self))
            }
            throw CommandFailure(description: "down: \(failure.description)", exitCode: KioskHealth.Overall.down.exitCode)
        }
        print(json ? try health.json() : health.text())
        if health.overall != .ok { throw ExitCode(health.overall.exitCode) }
    }
}

/// `kioskctl metrics`: the same facts as Prometheus text (for a textfile
/// collector or an exporter's script); personal data never appears.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Print the kiosk's health as Prometheus text.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let environment = try KioskEnvironment.open(options)
        print(try KioskHealth.gather(environment).prometheus(), terminator: "")
    }
}

extension KioskHealth {
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
