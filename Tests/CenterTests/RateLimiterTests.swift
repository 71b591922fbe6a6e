import CentreIntake
import CentreOperations
import Foundation
import Testing

@Suite struct RateLimiterTests {
    @Test func aKeySpendsItsBurstThenEarnsTokensBackAtItsRate() {
        let limiter = RateLimiter(.init(burst: 3, perSecond: 2))
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in limiter.take("a", now: start) == nil })
        #expect(limiter.take("a", now: start) == .milliseconds(500), "one token comes back in half a second")
        #expect(limiter.take("b", now: start) == nil, "keys do not share a bucket")
        #expect(limiter.wait(for: "a", now: start + .milliseconds(500)) == nil)
        #expect(limiter.take("a", now: start + .milliseconds(500)) == nil)
        #expect(limiter.take("a", now: start + .milliseconds(500)) != nil)
        // Never more than the burst, however long it rests.
        let later = start + .seconds(3600)
        #expect((0..<3).allSatisfy { _ in limiter.take("a", now: later) == nil })
        #expect(limiter.take("a", now: later) != nil)
    }

    @Test func idleKeysAreForgottenSoMemoryStaysBounded() {
        let limiter = RateLimiter(.init(burst: 1, perSecond: 1), maxKeys: 100)
        let start = ContinuousClock.now
        for index in 0..<100 { _ = limiter.take("peer-\(index)", now: start) }
        #expect(limiter.trackedKeys == 100)
        // Later, every old bucket has refilled: a new key makes room by dropping them.
        #expect(limiter.take("new", now: start + .seconds(5)) == nil)
        #expect(limiter.trackedKeys == 1)
        #expect(limiter.take("peer-0", now: start + .seconds(5)) == nil, "a forgotten key starts full")
        // A flood of new addresses, each still spending: the oldest half goes, never more than the cap stays.
        for index in 0..<1_000 { _ = limiter.take("busy-\(index)", now: start + .seconds(6) + .milliseconds(index)) }
        #expect(limiter.trackedKeys <= 100)
        #expect(limiter.take("busy-999", now: start + .seconds(6) + .milliseconds(999)) != nil, "the newest are remembered")
    }
}
