import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The systemd notify protocol (sd_notify) without libsystemd: datagrams
/// of `KEY=value` lines to `$NOTIFY_SOCKET`, a path or an abstract socket
/// (`@name`). Without the variable (not under systemd) it does nothing.
///
/// Watchdog pings are sent by the loop that could hang (the front's event
/// loop, the forwarder's drain loop), never from a side timer, so a hung
/// loop stops the pings and systemd restarts the service. A unit's
/// `WatchdogSec=` must be longer than twice the loop's longest legitimate
/// step (for the forwarder, the HTTP timeout).
public final class ServiceNotifier: @unchecked Sendable {
    private let address: sockaddr_un?
    private let addressLength: socklen_t
    private let fd: Int32
    /// Half of `$WATCHDOG_USEC`, when the watchdog is on for this process.
    public let watchdogInterval: Duration?
    private let lock = NSLock()
    private var lastPing: ContinuousClock.Instant?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var interval: Duration?
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            interval = .microseconds(usec / 2)
        }
        watchdogInterval = interval
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108,
              path.hasPrefix("/") || path.hasPrefix("@")
        else {
            address = nil
            addressLength = 0
            fd = -1
            return
        }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 } // abstract namespace
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        address = socketAddress
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public var isActive: Bool { address != nil && fd >= 0 }

    /// Sends `KEY=value` lines; failures are ignored (systemd may be gone
    /// during shutdown), as sd_notify does.
    public func notify(_ fields: [String]) {
        guard isActive, var address else { return }
        let message = Array(fields.joined(separator: "\n").utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength) }
            }
        }
    }

    public func ready(status: String) { notify(["READY=1", "STATUS=\(status)"]) }
    public func status(_ text: String) { notify(["STATUS=\(text)"]) }
    public func stopping() { notify(["STOPPING=1", "STATUS=stopping"]) }

    /// Called from the loop on each turn; sends `WATCHDOG=1` at most once
    /// per half watchdog interval.
    public func loopAlive(now: ContinuousClock.Instant = .now) {
        guard let interval = watchdogInterval else { return }
        let due = lock.withLock {
            guard lastPing.map({ now - $0 >= interval }) ?? true else { return false }
            lastPing = now
            return true
        }
        if due { notify(["WATCHDOG=1"]) }
    }
}
