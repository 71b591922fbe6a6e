/// One thing wrong with the district configuration, where it is:
/// printed as `file:line: message` by `kioskctl config check` and by a daemon
/// that refuses to start.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Thrown when a configuration folder has problems; holds all of them, so a
/// technician fixes everything in one pass.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a folder is read.
package final class ProblemLog {
    package private(set) var problems: [ConfigProblem] = []

    package init() {}

    package func add(_ file: String, _ line: Int, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, message: message))
    }
}
