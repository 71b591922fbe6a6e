import ArgumentParser
import Foundation
import KioskMetrics
import KioskStore
import Logging
import StorageSupport

/// Options every command takes: where the district configuration is, and
/// where the kiosk keeps its state (database, credentials outside systemd).
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("Configuration folder (env KIOSK_CONFIG).", valueName: "DIR"))
    public var config: String?

    @Option(name: .long, help: ArgumentHelp("State folder: database and credentials (env KIOSK_STATE).",
                                            valueName: "DIR"))
    public var state: String?

    @Option(name: .long, help: ArgumentHelp("Assets folder: receipt layout (env KIOSK_ASSETS).", valueName: "DIR"))
    public var assets: String?

    @Option(name: .long, help: ArgumentHelp(
        "Key files folder (env KIOSK_CREDENTIALS; else $CREDENTIALS_DIRECTORY under systemd, <config>/credentials if it exists, <state>/credentials).",
        valueName: "DIR"))
    public var credentials: String?

    public init() {}

    /// Where the seal key, receipt key and centre secret are read from.
    /// An installed kiosk keeps them root-only in /etc/kiosk/credentials and
    /// its units pass them in with `LoadCredential=`; a developer's run keeps
    /// them in the state folder.
    public var credentialsDirectory: URL {
        if let chosen = credentials ?? environment("KIOSK_CREDENTIALS") ?? environment("CREDENTIALS_DIRECTORY") {
            return URL(fileURLWithPath: chosen, isDirectory: true)
        }
        let beside = configDirectory.appendingPathComponent("credentials", isDirectory: true)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: beside.path, isDirectory: &isFolder), isFolder.boolValue { return beside }
        return stateDirectory.appendingPathComponent("credentials", isDirectory: true)
    }

    public var credentialStore: CredentialStore { CredentialStore(directory: credentialsDirectory) }

    public var assetsDirectory: URL {
        URL(fileURLWithPath: assets ?? environment("KIOSK_ASSETS") ?? "/usr/share/kiosk/assets", isDirectory: true)
    }

    public var configDirectory: URL {
        URL(fileURLWithPath: config ?? environment("KIOSK_CONFIG") ?? "/etc/kiosk", isDirectory: true)
    }

    public var stateDirectory: URL {
        URL(fileURLWithPath: state ?? environment("KIOSK_STATE") ?? "/var/lib/kiosk", isDirectory: true)
    }

    /// Where each service writes its counters (`<role>.prom`) for
    /// `kioskctl metrics`: env KIOSK_METRICS_DIR (the units: /run/kiosk/metrics,
    /// a tmpfs), else `<state>/metrics`.
    public var metricsDirectory: URL {
        environment("KIOSK_METRICS_DIR").map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? stateDirectory.appendingPathComponent("metrics", isDirectory: true)
    }

    /// Counting on for this service, written to its file in the metrics folder.
    func startMetrics(role: String, logger: Logger) -> MetricsExport {
        MetricsExport.start(role: role, folder: metricsDirectory) { problem in
            logger.warning("metrics not written", metadata: ["error": "\(problem)"])
        }
    }

    private func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// Prints a message on standard error; commands fail through this so the
/// technician always reads why.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A command's failure with the exit status monitoring expects.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1
}
