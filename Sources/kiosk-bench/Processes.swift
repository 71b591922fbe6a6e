import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Child processes for the benchmarks: started like a service manager starts
// them, measured from /proc, stopped with SIGTERM.

/// A program's standard output, run to its end.
func captureOutput(_ words: [String]) throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
    defer { unlink(output) }
    let child = try DaemonProcess(words, environment: ["LANG": "C.UTF-8"], notifySocket: nil, terminal: false,
                                  output: output)
    guard child.wait() == 0 else { throw ValidationError("\(words[0]) failed") }
    return try String(contentsOfFile: output, encoding: .utf8)
}

/// A program started with posix_spawn: standard error to /dev/null,
/// standard output to `output`, a clean signal mask, and (for the front) a
/// pseudo-terminal as its console and screen.
final class DaemonProcess {
    let pid: pid_t
    /// The terminal's master side (the front's keyboard and screen), or -1.
    let terminal: Int32
    private var reaped = false
    private let reader: Thread?

    init(_ words: [String], environment: [String: String], notifySocket: String?, terminal wantsTerminal: Bool,
         output: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var master: Int32 = -1
        if wantsTerminal {
            // posix_openpt by hand (Glibc's module does not export it):
            // open the multiplexer, unlock the pair, ask the slave's number.
            master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
            var unlock: Int32 = 0, number: UInt32 = 0
            guard master >= 0, ioctl(master, LinuxTerminal.setLock, &unlock) == 0, ioctl(master, LinuxTerminal.getNumber, &number) == 0 else {
                throw ValidationError("no pseudo-terminal")
            }
            var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(master, UInt(TIOCSWINSZ), &size)
            let slave = "/dev/pts/\(number)"
            posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
            posix_spawn_file_actions_addopen(&actions, 1, slave, O_RDWR, 0)
            posix_spawn_file_actions_addclose(&actions, master)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var variables = environment
        variables["PATH"] = "/usr/bin:/bin"
        if let notifySocket { variables["NOTIFY_SOCKET"] = notifySocket }
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | LinuxTerminal.spawnNewSession))
        var pid: pid_t = 0
        guard posix_spawn(&pid, words[0], &actions, &attributes, argv, envp) == 0 else {
            throw ValidationError("cannot run \(words[0])")
        }
        self.pid = pid
        self.terminal = master
        if master >= 0 {
            let master = master
            // Keep reading the screen so the front never blocks on a full terminal.
            let thread = Thread {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while read(master, &buffer, buffer.count) > 0 {}
            }
            thread.start()
            reader = thread
        } else {
            reader = nil
        }
    }

    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        reaped = true
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Whether the process has ended (it is reaped if so).
    var hasExited: Bool {
        guard !reaped else { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
        return reaped
    }

    func stop() {
        guard !reaped else { return }
        kill(pid, SIGTERM)
        _ = wait()
        if terminal >= 0 { close(terminal) }
    }

    deinit { stop() }
}

/// Linux values Glibc's Swift module leaves out (the same on x86_64 and
/// arm64: asm-generic ioctl numbers, glibc's spawn flag).
enum LinuxTerminal {
    /// TIOCSPTLCK, _IOW('T', 0x31, int): lock or unlock a pseudo-terminal's slave.
    static let setLock = UInt(0x4004_5431)
    /// TIOCGPTN, _IOR('T', 0x30, unsigned int): the slave's number.
    static let getNumber = UInt(0x8004_5430)
    /// POSIX_SPAWN_SETSID: the child leads a new session (its terminal becomes its console).
    static let spawnNewSession: Int32 = 0x80
}

/// A datagram socket standing in for systemd's notify socket.
final class NotifyListener {
    let fd: Int32
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-notify-\(UUID().uuidString.prefix(8))").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw ValidationError("cannot bind \(path)") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func waitFor(_ field: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0, String(decoding: buffer.prefix(count), as: UTF8.self).split(separator: "\n").contains(Substring(field)) {
                return true
            }
        }
        return false
    }
}

/// utime + stime of a process, in clock ticks.
func cpuTicks(_ pid: Int) -> Int {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
}

/// VmRSS of a process (this one by default), in kilobytes.
func residentKilobytes(pid: Int? = nil) -> Int {
    let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
    guard let status = try? String(contentsOfFile: path, encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
