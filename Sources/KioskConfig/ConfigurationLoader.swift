import Foundation
import KioskDomain
import YAMLTree

/// Reads a configuration folder (`kiosk.yaml`, `catalog.yaml`,
/// `assessment.yaml`, `texts.yaml`) into a checked `KioskConfiguration`.
///
/// Either every rule holds and the configuration comes back, or every problem
/// found is thrown at once as `file:line: message`: the daemons refuse to run
/// half-configured, and `kioskctl config check` prints the same list.
public enum ConfigurationLoader {
    public static let fileNames = ["kiosk.yaml", "catalog.yaml", "assessment.yaml", "texts.yaml"]

    public static func load(from directory: URL) throws(ConfigurationError) -> KioskConfiguration {
        let log = ProblemLog()
        let roots = readFiles(fileNames, in: directory, log: log)

        let kiosk = roots["kiosk.yaml"].flatMap { readKiosk($0) }
        let catalog = roots["catalog.yaml"].flatMap { readCatalog($0) }
        let assessment = roots["assessment.yaml"].flatMap { readAssessment($0) }
        let texts = roots["texts.yaml"].flatMap { readTexts($0) }

        guard log.problems.isEmpty, let kiosk, let catalog, let assessment, let texts else {
            throw failure(log, in: directory)
        }
        return KioskConfiguration(
            identity: kiosk.identity, centre: kiosk.centre, hotlines: kiosk.hotlines, areas: kiosk.areas,
            session: kiosk.session, retention: kiosk.retention, credentials: kiosk.credentials,
            receipt: kiosk.receipt, printer: kiosk.printer, forwarder: kiosk.forwarder, display: kiosk.display,
            catalog: catalog, assessment: assessment, texts: texts)
    }

    /// Every problem found; or, should a part be missing without one, that
    /// the folder is incomplete.
    package static func failure(_ log: ProblemLog, in directory: URL) -> ConfigurationError {
        ConfigurationError(problems: log.problems.isEmpty
            ? [ConfigProblem(file: directory.path, line: 0, message: "configuration incomplete")] : log.problems)
    }

    /// Parses each named YAML file of a folder; a missing, unreadable or
    /// unparsable file is a problem in `log` and absent from the result.
    package static func readFiles(_ names: [String], in directory: URL, log: ProblemLog) -> [String: YAMLNode] {
        var roots: [String: YAMLNode] = [:]
        for name in names {
            let url = directory.appendingPathComponent(name)
            let display = url.path
            guard let data = FileManager.default.contents(atPath: url.path) else {
                log.add(display, 0, "cannot read file (missing or not readable)")
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                log.add(display, 0, "is not valid UTF-8")
                continue
            }
            do {
                guard let node = try YAML.compose(text) else {
                    log.add(display, 1, "is empty")
                    continue
                }
                roots[name] = YAMLNode(node: node, file: display, log: log)
            } catch {
                log.add(display, error.line, error.message)
            }
        }

        return roots
    }
}
