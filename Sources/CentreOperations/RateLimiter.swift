import Foundation
import Synchronization

/// Token buckets by key (a kiosk code, a peer address): each key may spend
/// `burst` at once and earns `perSecond` back. Memory stays bounded: past
/// `maxKeys`, buckets that have refilled (idle keys) are dropped.
public final class RateLimiter: Sendable {
    public struct Rule: Sendable, Equatable {
        public var burst: Double
        public var perSecond: Double

        public init(burst: Double, perSecond: Double) {
            self.burst = burst
            self.perSecond = perSecond
        }
    }

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let rule: Rule
    private let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(_ rule: Rule, maxKeys: Int = 10_000) {
        self.rule = rule
        self.maxKeys = maxKeys
    }

    /// How many keys it remembers now.
    public var trackedKeys: Int { buckets.withLock { $0.count } }

    /// Spends `amount` tokens of `key` (one by default): nil when there was
    /// one, else how long until there is.
    public func take(_ key: String, amount: Double = 1, now: ContinuousClock.Instant = .now) -> Duration? {
        spend(key, amount: amount, now: now)
    }

    /// Whether `key` could spend a token now, without spending it.
    public func wait(for key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        spend(key, amount: 0, now: now)
    }

    private func spend(_ key: String, amount: Double, now: ContinuousClock.Instant) -> Duration? {
        let rule = self.rule
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: rule.burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rule.burst, bucket.tokens + max(0, seconds) * rule.perSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return .milliseconds(Int64(((1 - bucket.tokens) / rule.perSecond * 1000).rounded(.up)))
            }
            bucket.tokens -= amount
            if buckets.count >= maxKeys, buckets[key] == nil {
                Self.makeRoom(in: &buckets, rule: rule, maxKeys: maxKeys, now: now)
            }
            buckets[key] = bucket
            return nil
        }
    }
}

extension RateLimiter {
    /// First forgets keys whose buckets have refilled (forgetting them
    /// changes nothing); if that is not enough (a flood from many addresses),
    /// the least recently seen half, so each pass buys many inserts.
    fileprivate static func makeRoom(in buckets: inout [String: Bucket], rule: Rule, maxKeys: Int,
                                     now: ContinuousClock.Instant) {
        buckets = buckets.filter { entry in
            let idle = now - entry.value.updated
            return entry.value.tokens + Double(idle.components.seconds) * rule.perSecond < rule.burst
        }
        guard buckets.count >= maxKeys else { return }
        let newest = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maxKeys / 2)
        buckets = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}

extension Duration {
    /// At least one whole second, rounded up: what `Retry-After` says for a wait.
    package var retryAfterSeconds: Int64 { max(1, components.seconds + (components.attoseconds > 0 ? 1 : 0)) }
}
