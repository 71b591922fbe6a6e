import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with posix_spawn; its standard output goes to `output`,
/// its standard error to `output` + ".err".
///
/// Not Foundation's `Process`: it can miss the exit of a child whose own
/// child daemonizes (tmux), and hang. Children start with a clean signal
/// mask and default actions, as a service manager starts them.
public final class Subprocess {
    public let pid: pid_t
    public let output: URL
    private var reaped = false
    private var status: Int32 = 0

    /// - Parameter input: a file for standard input (default /dev/null).
    public init(_ arguments: [String], environment: [String: String] = [:], output: URL, input: URL? = nil) throws {
        self.output = output
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, output.path + ".err", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let base = ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"]
        let env = base.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SubprocessError(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    public func signal(_ number: Int32) {
        if !reaped { kill(pid, number) }
    }

    /// Waits for the exit; returns the raw wait status (0 for a clean exit 0).
    @discardableResult
    public func wait() -> Int32 {
        guard !reaped else { return status }
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        reaped = true
        return status
    }

    /// The exit code after `wait()`, or nil when a signal ended it.
    public var exitCode: Int32? {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
    }

    public var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    public var errorText: String { (try? String(contentsOf: URL(fileURLWithPath: output.path + ".err"), encoding: .utf8)) ?? "" }

    deinit {
        if !reaped {
            kill(pid, SIGKILL)
            wait()
        }
    }
}

public struct SubprocessError: Error, CustomStringConvertible {
    public var description: String
}

/// A finished run: exit code and both outputs.
public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to its end, with `input` (if any) on its standard input.
@discardableResult
public func runToEnd(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> RunResult {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
    let inputFile = input.map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("in-\(UUID().uuidString)") }
    defer {
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(atPath: output.path + ".err")
        if let inputFile { try? FileManager.default.removeItem(at: inputFile) }
    }
    if let input, let inputFile { try Data(input.utf8).write(to: inputFile) }
    let process = try Subprocess(arguments, environment: environment, output: output, input: inputFile)
    process.wait()
    return RunResult(status: process.exitCode ?? -1, stdout: process.text, stderr: process.errorText)
}
