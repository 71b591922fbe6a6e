import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// bcrypt off Swift's cooperative pool. A check costs about a quarter of a
/// second of one core by design; run on the pool (one thread a core) a few
/// sign-ins a second would stall intake, the console and the watchdog
/// probe. Here checks run on a small pool of their own threads, and past
/// `maxWaiting` checks queued a new one is refused at once (`busy`) rather
/// than queued for ever: the sign-in page says so and asks for a retry.
public final class PasswordChecker: Sendable {
    public struct Busy: Error, Sendable {}

    /// Threads bcrypt may use: one, so the other core keeps serving (a sign-in waits its turn).
    public static let standardThreads = 1
    public static let standardMaxWaiting = 8
    /// For the command-line tools and tests; `kiosk-center serve` makes its own.
    public static let shared = PasswordChecker()

    private let pool: NIOThreadPool
    private let maxWaiting: Int
    private let waiting = Atomic<Int>(0)

    public init(threads: Int = standardThreads, maxWaiting: Int = standardMaxWaiting) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        self.maxWaiting = maxWaiting
    }

    deinit { pool.shutdownGracefully { _ in } }

    /// Whether `password` matches `hash`; throws `Busy` when too many checks wait already.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        let admitted = waiting.add(1, ordering: .relaxed).newValue
        defer { waiting.subtract(1, ordering: .relaxed) }
        guard admitted <= maxWaiting else { throw Busy() }
        return try await pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A new hash of `password` (setting a password: rare, never refused as busy).
    public func hash(_ password: String, cost: UInt8) async throws -> String {
        try await pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }
}
