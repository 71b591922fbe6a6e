import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a district puts in front of its centre processes (HAProxy, nginx):
/// a TCP balancer on loopback that hands each new connection to the next
/// backend port in turn, and to the other when one refuses (a process that
/// was killed). Bytes pass through untouched; a backend that dies mid-request
/// cuts its client's connection, as a real balancer does.
public final class LoopbackBalancer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let backends: [Int]
    private let turn = NSLock()
    private var next = 0
    private var closed = false

    public init(backends: [Int]) throws {
        self.backends = backends
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 256) == 0 else {
            throw SubprocessError(description: "the balancer cannot listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { close() }

    public func close() {
        turn.lock()
        let wasClosed = closed
        closed = true
        turn.unlock()
        if !wasClosed { shutdown(listener, Int32(SHUT_RDWR)); Glibc.close(listener) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        turn.lock()
        let first = next
        next = (next + 1) % backends.count
        turn.unlock()
        for offset in 0..<backends.count {
            let backend = backends[(first + offset) % backends.count]
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: backend)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if connected == 0 {
                let done = DispatchGroup()
                done.enter()
                Thread { Self.pump(from: upstream, to: client); done.leave() }.start()
                Self.pump(from: client, to: upstream)
                done.wait()
                Glibc.close(upstream)
                Glibc.close(client)
                return
            }
            Glibc.close(upstream)
        }
        Glibc.close(client)
    }

    /// Copies until the end (or an error), then ends the other side's sending half.
    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        loop: while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break loop }
                sent += written
            }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
