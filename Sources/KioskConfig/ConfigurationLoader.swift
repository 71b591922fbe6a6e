import Foundation
import KioskDomain
import Yams

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
                guard let node = try Yams.compose(yaml: text) else {
                    log.add(display, 1, "is empty")
                    continue
                }
                roots[name] = YAMLNode(node: node, file: display, log: log)
            } catch let error as YamlError {
                let (line, message) = describe(error)
                log.add(display, line, message)
            } catch {
                log.add(display, 1, "cannot parse YAML")
            }
        }

        return roots
    }

    /// Yams reports marks on most errors; keep its line and a one-line problem.
    package static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return (mark.line, "YAML syntax: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return (context.mark.line, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        case let .reader(problem, _, _, _):
            return (1, "YAML: \(problem)")
        default:
            return (1, "YAML: cannot parse")
        }
    }
}
