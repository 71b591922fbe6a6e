import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Calls `changed` whenever the database or its WAL is written, by any
/// process: inotify on the database's folder, so the idle forwarder sleeps
/// until the front stores a request instead of polling the queue. Events
/// are not coalesced here; the receiver's wake-up is.
///
/// A thread of its own waits in poll(2) on the inotify descriptor and a
/// pipe that `stop()` writes to; no timer runs.
public final class DatabaseWatch: @unchecked Sendable {
    private let inotify: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private let lock = NSLock()
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Nil when inotify is not available (the caller polls instead).
    public init?(path: String, changed: @escaping @Sendable () -> Void) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let names: Set<String> = [url.lastPathComponent, url.lastPathComponent + "-wal"]
        let descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        let events = UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)
        var ends: [Int32] = [0, 0]
        guard inotify_add_watch(descriptor, folder, events) >= 0, pipe(&ends) == 0 else {
            close(descriptor)
            return nil
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        inotify = descriptor
        stopPipe = (ends[0], ends[1])
        let thread = Thread { [inotify, stopPipe, finished] in
            Self.watch(inotify: inotify, stop: stopPipe.read, names: names, changed: changed)
            finished.signal()
        }
        thread.name = "database-watch"
        thread.start()
    }

    deinit { stop() }

    /// Ends the watch; returns once its thread has.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        finished.wait()
        close(inotify)
        close(stopPipe.read)
        close(stopPipe.write)
    }

    private static func watch(inotify: Int32, stop: Int32, names: Set<String>, changed: @Sendable () -> Void) {
        // struct inotify_event: wd, mask, cookie, len (four 32-bit fields), then the name.
        let headerSize = 16
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var descriptors = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
        while true {
            guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { return }
            if descriptors[1].revents != 0 { return }
            guard descriptors[0].revents != 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            guard count > 0 else { if count < 0, errno == EINTR || errno == EAGAIN { continue }; return }
            var relevant = false
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                while offset + headerSize <= count {
                    let nameLength = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = bytes[(offset + headerSize)..<(offset + headerSize + nameLength)]
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    if names.contains(name) { relevant = true }
                    offset += headerSize + nameLength
                }
            }
            if relevant { changed() }
        }
    }
}
