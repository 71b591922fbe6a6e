import ArgumentParser
import KioskDomain

/// The technician's tool: `kioskctl <command>`, run over ssh on a kiosk.
public struct Kioskctl: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kioskctl",
        abstract: "Look after a help-request kiosk: configuration, receipts, printer, retention.",
        discussion: ExitStatus.kioskctl,
        version: KioskVersion.current,
        subcommands: [StatusCommand.self, MetricsCommand.self, ConfigCommand.self, CatalogCommand.self, CredentialsCommand.self, PurgeCommand.self,
                      VerifyCommand.self, PrinterCommand.self, ReprintCommand.self, QueueCommand.self, ProgressCommand.self, ExportCommand.self])

    public init() {}
}
