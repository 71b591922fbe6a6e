import Foundation

/// Prometheus's own parser and linter on exposition text: what a scrape
/// would refuse or warn about (no HELP, a bad name, a counter without
/// `_total`) makes it fail. `promtool` comes with Debian's `prometheus`
/// package, which `scripts/bootstrap` installs.
public func promtoolCheckMetrics(_ text: String) throws -> RunResult {
    try runToEnd(["/usr/bin/promtool", "check", "metrics"], input: text)
}
