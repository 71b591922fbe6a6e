#if canImport(Glibc)
import Glibc
#endif

/// The signals a service stops on.
public enum ProcessSignals {
    /// Unblocks SIGTERM and SIGINT in the calling thread (and every thread
    /// it starts afterwards). A parent that spawned us with them blocked
    /// (posix_spawn keeps the mask) would otherwise leave them pending for
    /// ever: `systemctl stop` would wait out its timeout and kill.
    public static func unblockTermination() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
