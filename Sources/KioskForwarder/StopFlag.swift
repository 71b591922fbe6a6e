import Foundation

/// Set once to ask the forwarder to stop after the requests in flight.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    public var isSet: Bool { lock.withLock { value } }

    public func set() {
        let handlers = lock.withLock {
            value = true
            defer { self.handlers = [] }
            return self.handlers
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` when the flag is set (at once if it is already).
    func whenSet(_ handler: @escaping @Sendable () -> Void) {
        let already = lock.withLock {
            if !value { handlers.append(handler) }
            return value
        }
        if already { handler() }
    }
}
