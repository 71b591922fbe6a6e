import Dispatch
import Synchronization

/// Writes that arrive together, written together: the first item starts a
/// write on the writer's own queue, and items handed in while it runs wait
/// and go together in the next one (one transaction and one fsync for all
/// of them). Nobody waits here; a caller that must know when its item is
/// durable passes a continuation in the item (the centre's intake), or
/// calls `flush()`.
public final class GroupWriter<Item: Sendable>: Sendable {
    private struct Waiting {
        var items: [Item] = []
        var writing = false
    }

    private let waiting = Mutex(Waiting())
    private let queue: DispatchQueue
    private let write: @Sendable ([Item]) -> Void

    /// - Parameter write: writes a group, in the order handed in; runs on
    ///   the writer's queue, one group at a time.
    public init(label: String, write: @escaping @Sendable ([Item]) -> Void) {
        queue = DispatchQueue(label: label)
        self.write = write
    }

    public func add(_ item: Item) {
        let starts = waiting.withLock { state in
            state.items.append(item)
            if state.writing { return false }
            state.writing = true
            return true
        }
        if starts { queue.async { self.writeUntilNoneWait() } }
    }

    /// Returns once every item added before the call is written.
    public func flush() {
        queue.sync {}
    }

    private func writeUntilNoneWait() {
        while true {
            let group = waiting.withLock { state in
                defer { state.items = [] }
                if state.items.isEmpty { state.writing = false }
                return state.items
            }
            if group.isEmpty { return }
            write(group)
        }
    }
}
