#if canImport(Glibc)
import Glibc
#endif

/// The write end of the self-pipe; a signal handler may touch nothing else.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Turns signals into bytes on a pipe, so the front's one `poll` wakes for
/// keys, timers and signals alike (the self-pipe trick).
public final class SignalPipe {
    public let readEnd: Int32

    public init(signals: [Int32]) throws(SystemCallError) {
        var fds: [Int32] = [0, 0]
        try systemCall("pipe") { pipe(&fds) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = fds[0]
        signalPipeWriteEnd = fds[1]
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = Glibc.write(signalPipeWriteEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            try systemCall("sigaction") { sigaction(signal, &action, nil) }
        }
    }

    /// The signals that arrived since the last call.
    public func drain() -> [Int32] {
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = Glibc.read(readEnd, &bytes, 64)
        return count > 0 ? bytes.prefix(count).map { Int32($0) } : []
    }
}
