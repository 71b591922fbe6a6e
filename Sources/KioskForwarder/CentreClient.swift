import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The forwarder's HTTP/1.1 client for the centre: signed POSTs to one
/// origin, over TLS when the URL says https (trusting `forwarder.ca_bundle`
/// when set, the system's roots otherwise), on kept-alive connections.
///
/// Its own, on SwiftNIO, rather than a general client: it needs one origin,
/// one method and no redirects, cookies or compression, and a general client
/// brought its own copy of zlib into the package. A redirect is never
/// followed (it would carry the signed body elsewhere); a refused connection
/// is not retried (the queue's backoff decides when to try again).
public final class CentreClient: Sendable {
    /// Why a request got no answer; `description` is what the queue records.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    let host: String
    let port: Int
    let tls: NIOSSLContext?
    let timeout: Duration
    let idleTimeout: Duration
    let maxIdle: Int
    let group: any EventLoopGroup
    /// Connections that answered and may take the next request, newest last.
    private let idle = Mutex<[(connection: Connection, since: ContinuousClock.Instant)]>([])
    private let closed = Atomic(false)

    /// An answer's body is capped: the centre's largest is a page of progress.
    static let maxAnswerBytes = 1 << 20

    /// - Parameters:
    ///   - url: the centre's base URL, `http://` or `https://`, with its host.
    ///   - timeout: the connect and the whole request each.
    ///   - idleTimeout: how long an unused connection is kept.
    ///   - maxIdle: how many unused connections are kept (the forwarder's concurrency).
    public init(url: URL, caBundle: String?, timeout: Duration, idleTimeout: Duration, maxIdle: Int,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host,
              !host.isEmpty
        else { throw Failure(description: "centre URL \(url.absoluteString) is not http:// or https:// with a host") }
        self.host = host
        port = url.port ?? (scheme == "https" ? 443 : 80)
        if scheme == "https" {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caBundle { configuration.trustRoots = .file(caBundle) }
            tls = try NIOSSLContext(configuration: configuration)
        } else {
            tls = nil
        }
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.maxIdle = max(1, maxIdle)
        self.group = group
    }

    /// One POST; the status and the body, or a `Failure` (no connection, no
    /// answer within the timeout, a broken answer).
    /// `signatures`: the answer's signature headers (`Kiosk-Refusal`,
    /// `Kiosk-Answer-Signature`) by lower-case name; no other header is kept.
    public func post(path: String, headers: [(String, String)], body: [UInt8]) async throws
        -> (status: Int, body: Data, signatures: [String: String]) {
        guard !closed.load(ordering: .relaxed) else { throw Failure(description: "the client is shut down") }
        let connection: Connection
        if let kept = reusableConnection() { connection = kept } else { connection = try await connect() }
        do {
            let answer = try await connection.exchange(head(path: path, headers: headers, length: body.count),
                                                       body: body, timeout: timeout)
            if answer.keepAlive { keep(connection) } else { connection.close() }
            return (answer.status, answer.body, answer.signatures)
        } catch {
            connection.close()
            throw error
        }
    }

    /// Closes every kept connection; posts after this fail.
    public func shutdown() async throws {
        closed.store(true, ordering: .relaxed)
        let connections = idle.withLock { kept in defer { kept = [] }; return kept.map(\.connection) }
        for connection in connections { connection.close() }
    }

    private func head(path: String, headers: [(String, String)], length: Int) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        let name = host.contains(":") ? "[\(host)]" : host  // an IPv6 address in brackets
        head.headers.add(name: "Host", value: port == (tls == nil ? 80 : 443) ? name : "\(name):\(port)")
        head.headers.add(name: "Content-Length", value: String(length))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        return head
    }

    /// The newest kept connection that is still open and not idle too long.
    private func reusableConnection() -> Connection? {
        let now = ContinuousClock.now
        let (fresh, stale) = idle.withLock { kept -> (Connection?, [Connection]) in
            let (usable, stale) = (kept.filter { now - $0.since <= idleTimeout && $0.connection.isActive },
                                   kept.filter { now - $0.since > idleTimeout || !$0.connection.isActive })
            kept = usable
            return (kept.popLast()?.connection, stale.map(\.connection))
        }
        for connection in stale { connection.close() }
        return fresh
    }

    private func keep(_ connection: Connection) {
        let surplus = idle.withLock { kept -> Connection? in
            kept.append((connection, ContinuousClock.now))
            return kept.count > maxIdle ? kept.removeFirst().connection : nil
        }
        surplus?.close()
        if closed.load(ordering: .relaxed) { connection.close() }
    }

    /// Whether `host` is an IPv4 or IPv6 address (by `inet_pton`), not a
    /// name: `1centre.example` is a name, and gets SNI and a name check.
    public static func isIPAddress(_ host: String) -> Bool {
        var four = in_addr(), six = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &four) == 1 || inet_pton(AF_INET6, bare, &six) == 1
    }

    /// The answer headers that carry the centre's signatures
    /// (`RequestSigner.refusalHeader`, `RequestSigner.answerSignatureHeader`).
    static let signatureHeaders = ["Kiosk-Refusal", "Kiosk-Answer-Signature"]

    private func connect() async throws -> Connection {
        let tls = self.tls, host = self.host
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                                         + timeout.components.attoseconds / 1_000_000_000))
            // TCP_NODELAY at the TCP level. (`.socketOption(.tcp_nodelay)` would set
            // SOL_SOCKET option 1, SO_DEBUG, which only root may: every connect of
            // the unprivileged forwarder failed with EACCES.)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // Host names are checked against the certificate; an IP address is not sent as SNI.
                        let name = CentreClient.isIPAddress(host) ? nil : host
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: name)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            return Connection(channel: channel)
        } catch {
            throw Failure(description: Self.describe(error))
        }
    }

    /// A connection error as a technician reads it.
    static func describe(_ error: any Error) -> String {
        if let failure = error as? Failure { return failure.description }
        // A connect tries each address of the name: say why the first failed.
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if let resolution = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve the centre's name: \(resolution)" }
        }
        // NIO words a refused connect as "connection reset (error set): Connection refused".
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased() + " (errno \(error.errnoCode))"
        }
        if case .connectTimeout? = error as? ChannelError { return "no connection within the timeout" }
        return String(describing: error).prefix(200).description
    }
}

/// One kept-alive connection: a request at a time.
final class Connection: Sendable {
    let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    var isActive: Bool { channel.isActive }

    func close() {
        channel.close(promise: nil)
    }

    struct Answer: Sendable {
        var status: Int
        var body: Data
        var keepAlive: Bool
        var signatures: [String: String] = [:]
    }

    /// Writes the request, waits for its whole answer or the timeout.
    func exchange(_ head: HTTPRequestHead, body: [UInt8], timeout: Duration) async throws -> Answer {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: Answer.self)
        let channel = self.channel
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        loop.execute {
            guard let collector = try? channel.pipeline.syncOperations.handler(type: ResponseCollector.self) else {
                promise.fail(CentreClient.Failure(description: "the connection lost its answer handler"))
                return
            }
            collector.expect(promise)
            let deadline = loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                promise.fail(CentreClient.Failure(description: "no answer within \(timeout.components.seconds) s"))
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in deadline.cancel() }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
        }
        do {
            return try await promise.futureResult.get()
        } catch let failure as CentreClient.Failure {
            throw failure
        } catch {
            throw CentreClient.Failure(description: CentreClient.describe(error))
        }
    }
}

/// Gathers one answer (head, body, end) for the request waiting on it; a
/// connection that closes or fails fails it.
final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var waiting: EventLoopPromise<Connection.Answer>?
    private var status = 0
    private var keepAlive = false
    private var signatures: [String: String] = [:]
    private var body = ByteBuffer()
    private var tooLarge = false

    func expect(_ promise: EventLoopPromise<Connection.Answer>) {
        waiting = promise
        status = 0
        signatures = [:]
        body.clear()
        tooLarge = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
            for name in CentreClient.signatureHeaders {
                if let value = head.headers.first(name: name) { signatures[name.lowercased()] = value }
            }
        case var .body(part):
            if body.readableBytes + part.readableBytes > CentreClient.maxAnswerBytes {
                tooLarge = true
            } else {
                body.writeBuffer(&part)
            }
        case .end:
            guard let promise = waiting else { return }
            waiting = nil
            if tooLarge {
                promise.fail(CentreClient.Failure(description: "the centre's answer is over 1 MiB"))
                context.close(promise: nil)
            } else {
                promise.succeed(Connection.Answer(status: status, body: Data(body.readableBytesView), keepAlive: keepAlive,
                                                  signatures: signatures))
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        waiting?.fail(CentreClient.Failure(description: CentreClient.describe(error)))
        waiting = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        waiting?.fail(CentreClient.Failure(description: "the centre closed the connection before answering"))
        waiting = nil
        context.fireChannelInactive()
    }
}
