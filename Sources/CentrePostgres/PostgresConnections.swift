import CentreStore
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL connections one centre process keeps: at most `limit`
/// open, opened when needed, kept while they work. A task that finds all
/// of them busy waits, suspended, for the next one given back. A connect
/// that fails fails its transaction at once (the database is away: intake
/// answers 503 and the kiosk tries again), rather than waiting for the
/// server to come back.
final class PostgresConnections: Sendable {
    private enum Turn: Sendable {
        case connection(PostgresConnection)
        /// A connection was closed: the waiter may open one.
        case open
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var opened = 0
        var waiting: [CheckedContinuation<Turn, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let limit: Int
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let location: String
    private let ids = Atomic<Int>(0)

    init(limit: Int, configuration: PostgresConnection.Configuration, logger: Logger, location: String) {
        self.limit = max(1, limit)
        self.configuration = configuration
        self.logger = logger
        self.location = location
    }

    /// A store dropped without `close()` (a command that ends) still closes
    /// its connections: postgres-nio requires each to be closed.
    deinit { close() }

    /// Runs `body` on a connection of its own. A connection whose state
    /// `body` left unknown (`ConnectionLeftOpen`) is closed, not kept.
    func with<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        do {
            let result = try await body(connection)
            giveBack(connection, keep: !connection.isClosed)
            return result
        } catch let error as ConnectionLeftOpen {
            giveBack(connection, keep: false)
            throw error.underlying
        } catch {
            giveBack(connection, keep: !connection.isClosed)
            throw error
        }
    }

    /// Closes every idle connection, without waiting; the pool is not used again.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { Self.discard(connection) }
    }

    /// A connection to use: a kept one the server has not closed meanwhile
    /// (a query on a closed one would never be answered), or a new one.
    private func take() async throws -> PostgresConnection {
        while true {
            let connection = try await takeKeptOrNew()
            if !connection.isClosed { return connection }
            giveBack(connection, keep: false)
        }
    }

    private func takeKeptOrNew() async throws -> PostgresConnection {
        var turn = state.withLock { claim(&$0) }
        if turn == nil {
            turn = await withCheckedContinuation { continuation in
                let turn: Turn? = state.withLock { state in
                    if let turn = claim(&state) { return turn }
                    state.waiting.append(continuation)
                    return nil
                }
                if let turn { continuation.resume(returning: turn) }
            }
        }
        switch turn! {
        case let .connection(connection): return connection
        case .open: return try await open()
        }
    }

    /// A kept connection, or the right to open one while under the limit.
    private func claim(_ state: inout State) -> Turn? {
        if let idle = state.idle.popLast() { return .connection(idle) }
        guard state.opened < limit else { return nil }
        state.opened += 1
        return .open
    }

    private func open() async throws -> PostgresConnection {
        let id = ids.add(1, ordering: .relaxed).newValue
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        } catch {
            giveBack(nil, keep: false)
            throw DatabaseUnavailable(location: location, reason: PostgresCenterDatabase.describe(error))
        }
    }

    /// A connection back (or the slot of one that failed to open or was closed).
    private func giveBack(_ connection: PostgresConnection?, keep: Bool) {
        let (waiter, turn, discard) = state.withLock { state -> (CheckedContinuation<Turn, Never>?, Turn, PostgresConnection?) in
            let reusable = keep && !state.closed ? connection : nil
            let discard = reusable == nil ? connection : nil
            if reusable == nil { state.opened -= 1 }
            if !state.waiting.isEmpty {
                let waiter = state.waiting.removeFirst()
                if let reusable { return (waiter, .connection(reusable), nil) }
                state.opened += 1
                return (waiter, .open, discard)
            }
            if let reusable { state.idle.append(reusable) }
            return (nil, .open, discard)
        }
        waiter?.resume(returning: turn)
        if let discard { Self.discard(discard) }
    }

    /// Closed without waiting for the server's answer; kept until then, as postgres-nio requires.
    private static func discard(_ connection: PostgresConnection) {
        (connection.close() as EventLoopFuture<Void>).whenComplete { _ in withExtendedLifetime(connection) {} }
    }
}

/// An error after which the connection's state is unknown.
struct ConnectionLeftOpen: Error {
    var underlying: any Error
}
