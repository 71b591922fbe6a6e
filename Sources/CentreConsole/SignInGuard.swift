import CentreOperations
import Foundation
import Synchronization

/// What the sign-in page allows before it checks a password: attempts per
/// client address and in all (429 with Retry-After past them), and which
/// addresses sent wrong passwords lately (a locked account stays locked
/// against those, not against everyone). In memory: with several centre
/// processes each counts its own share, which still bounds a guesser.
public final class SignInGuard: Sendable {
    public struct Limits: Sendable {
        public var perAddress: RateLimiter.Rule
        public var overall: RateLimiter.Rule

        public init(perAddress: RateLimiter.Rule, overall: RateLimiter.Rule) {
            self.perAddress = perAddress
            self.overall = overall
        }

        /// Thirty tries at once from one address (a centre's office behind
        /// one NAT signs in at nine), then one each 2 s; forty at once in all,
        /// then four a second (about what one bcrypt thread checks).
        public static let standard = Limits(perAddress: .init(burst: 30, perSecond: 0.5),
                                            overall: .init(burst: 40, perSecond: 4))
    }

    private let perAddress: RateLimiter
    private let overall: RateLimiter
    /// Address → its last wrong password; bounded like the rate limiters.
    private let failures = Mutex<[String: ContinuousClock.Instant]>([:])
    private let maxAddresses = 10_000

    public init(_ limits: Limits = .standard) {
        perAddress = RateLimiter(limits.perAddress)
        overall = RateLimiter(limits.overall)
    }

    /// nil when an attempt from `address` may go ahead (and is counted), else how long to wait.
    public func admit(_ address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        if let wait = perAddress.take(address, now: now) { return wait }
        return overall.take("all", now: now)
    }

    public func noteFailure(from address: String, now: ContinuousClock.Instant = .now) {
        failures.withLock { failures in
            if failures.count >= maxAddresses, failures[address] == nil {
                // The oldest half goes: a flood from many addresses cannot grow this without bound.
                let newest = failures.sorted { $0.value > $1.value }.prefix(maxAddresses / 2)
                failures = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
            }
            failures[address] = now
        }
    }

    /// Whether `address` sent a wrong password within `window`.
    public func failedRecently(_ address: String, within window: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        failures.withLock { failures in failures[address].map { now - $0 < window } ?? false }
    }
}
