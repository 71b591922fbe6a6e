import Synchronization

/// A bell the drain loop waits on between turns: rung by new work and by
/// a stop. A ring while nobody waits is kept for the next wait, so work
/// that arrives between a look at the queue and the wait is never missed.
final class Wakeup: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Bool, Never>?
        /// Which wait the waiter belongs to, and which wait's time ran out.
        var wait = 0
        var expired = -1
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil as CheckedContinuation<Bool, Never>?
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Returns true when rung (now or since the last wait), false when
    /// `deadline` passed first.
    func wait(until deadline: ContinuousClock.Instant) async -> Bool {
        let wait = state.withLock { state in
            state.wait += 1
            return state.wait
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.expire(wait)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { waiter in
            let answer: Bool? = state.withLock { state in
                if state.rung {
                    state.rung = false
                    return true
                }
                if state.expired == wait { return false }
                state.waiter = waiter
                return nil
            }
            if let answer { waiter.resume(returning: answer) }
        }
    }

    private func expire(_ wait: Int) {
        let waiter = state.withLock { state in
            guard state.wait == wait else { return nil as CheckedContinuation<Bool, Never>? }
            state.expired = wait
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: false)
    }
}
