import ArgumentParser
import KioskDomain

/// The project's benchmarks. Each compares our path with a baseline measured
/// in the same run on the same disk (these machines are noisy), prints its
/// figures, and ends with `ratio X.XX`.
@main
struct KioskBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk-bench", abstract: "Benchmarks for the help-request kiosk.",
        version: KioskVersion.current,
        subcommands: [SubmitBenchmark.self, ReceiptBenchmark.self, FrontBenchmark.self, DrainBenchmark.self,
                      StartupBenchmark.self, ConsoleBenchmark.self, DistrictBenchmark.self, FleetBenchmark.self,
                      ReferralBenchmark.self, OpenProbe.self])
}

