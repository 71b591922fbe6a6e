import Synchronization

/// A fixed set of connections handed out one task at a time: a task that
/// finds none free waits, suspended, for the next one given back, in the
/// order they asked. Nothing blocks a thread.
final class ConnectionLine<Connection: Sendable>: Sendable {
    private struct State {
        var free: [Connection]
        var waiting: [CheckedContinuation<Connection, Never>] = []
    }

    private let state: Mutex<State>

    init(_ connections: [Connection]) {
        precondition(!connections.isEmpty)
        state = Mutex(State(free: connections))
    }

    /// Runs `body` with a connection of its own, given back after.
    func with<T>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = await take()
        defer { giveBack(connection) }
        return try await body(connection)
    }

    private func take() async -> Connection {
        if let connection = state.withLock({ $0.free.popLast() }) { return connection }
        return await withCheckedContinuation { continuation in
            let connection = state.withLock { state -> Connection? in
                if let free = state.free.popLast() { return free }
                state.waiting.append(continuation)
                return nil
            }
            if let connection { continuation.resume(returning: connection) }
        }
    }

    private func giveBack(_ connection: Connection) {
        let next = state.withLock { state -> CheckedContinuation<Connection, Never>? in
            // A handful of connections and waiters: removing the first is cheap.
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }
            state.free.append(connection)
            return nil
        }
        next?.resume(returning: connection)
    }
}
