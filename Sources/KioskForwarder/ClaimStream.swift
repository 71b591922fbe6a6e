import KioskStore

/// Due requests, leased a batch at a time and handed out one by one, so
/// the forwarder claims again as soon as it has a free slot and nothing left.
final class ClaimStream {
    private var waiting: [Claim]
    private var exhausted = false
    private let batch: Int
    private let once: Bool
    private let claim: (Int) -> [Claim]

    /// - Parameters:
    ///   - batch: how many to lease at a time.
    ///   - once: lease one batch only (a probe, a test's given claims).
    ///   - claim: leases up to that many; empty when nothing is due.
    init(first: [Claim] = [], batch: Int, once: Bool = false, claim: @escaping (Int) -> [Claim]) {
        waiting = first.reversed()
        self.batch = batch
        self.once = once
        self.claim = claim
    }

    /// Hands out these claims only.
    convenience init(_ claims: [Claim]) {
        self.init(first: claims, batch: 0, once: true) { _ in [] }
        exhausted = true
    }

    /// Up to `count` claims (fewer when nothing more is due).
    func next(upTo count: Int) -> [Claim] {
        var taken: [Claim] = []
        while taken.count < count, let claim = next() { taken.append(claim) }
        return taken
    }

    func next() -> Claim? {
        if waiting.isEmpty, !exhausted {
            waiting = claim(batch).reversed()
            exhausted = waiting.isEmpty || once
        }
        return waiting.popLast()
    }

    /// Leased and not handed out.
    func rest() -> [Claim] {
        defer { waiting = [] }
        return waiting
    }
}
