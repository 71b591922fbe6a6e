import Foundation

/// For tests of the watchdog only: in a debug build, a loop that calls
/// `point()` blocks for good once `KIOSK_TEST_HANG_AFTER_SECONDS` have
/// passed since its first call, as a real hang would. Release builds
/// compile it to nothing.
public enum HangInjection {
    #if DEBUG
    nonisolated(unsafe) private static var start: ContinuousClock.Instant?
    private static let after: Duration? = ProcessInfo.processInfo.environment["KIOSK_TEST_HANG_AFTER_SECONDS"]
        .flatMap(Double.init).map { .milliseconds(Int64($0 * 1000)) }
    #endif

    @inline(__always)
    public static func point() {
        #if DEBUG
        guard let after else { return }
        let now = ContinuousClock.now
        if start == nil { start = now }
        if now - start! >= after {
            FileHandle.standardError.write(Data("<4>hang injected for a watchdog test\n".utf8))
            while true { sleep(3600) }
        }
        #endif
    }
}
