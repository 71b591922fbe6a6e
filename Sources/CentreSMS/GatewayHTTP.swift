import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One GET to the SMS gateway, on a connection of its own, over TLS when the
/// URL says https. Its own on SwiftNIO, as the kiosk's forwarder has: a
/// general client brings its own copy of zlib into the package, and the
/// gateway needs one method, no redirects, cookies or compression.
struct GatewayHTTP: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let timeout: Duration
    let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    /// The status and up to 4 KiB of the body; a `Failure` when no answer came.
    func get(_ url: URL) async throws -> (status: Int, body: String) {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host else {
            throw Failure(description: "not an http:// or https:// address")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let tls = scheme == "https" ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(nanoseconds))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(AnswerCollector())
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw Failure(description: "gateway unreachable")
        }
        defer { channel.close(promise: nil) }
        let loop = channel.eventLoop, promise = loop.makePromise(of: (Int, String).self)
        // As written: the query is already percent-encoded, and must reach the gateway so.
        var target = url.path(percentEncoded: true).isEmpty ? "/" : url.path(percentEncoded: true)
        if let query = url.query(percentEncoded: true) { target += "?" + query }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
        head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        head.headers.add(name: "Connection", value: "close")
        let request = head
        loop.execute {
            guard let collector = try? channel.pipeline.syncOperations.handler(type: AnswerCollector.self) else {
                promise.fail(Failure(description: "the connection lost its answer handler"))
                return
            }
            collector.waiting = promise
            let deadline = loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                promise.fail(Failure(description: "no answer within \(timeout.components.seconds) s"))
            }
            promise.futureResult.whenComplete { _ in deadline.cancel() }
            channel.write(HTTPClientRequestPart.head(request), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
        }
        let (status, body) = try await promise.futureResult.get()
        return (status, body)
    }
}

/// Gathers the one answer; a connection that closes or fails first fails it.
final class AnswerCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    var waiting: EventLoopPromise<(Int, String)>?
    private var status = 0
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head): status = Int(head.status.code)
        case var .body(part): if body.readableBytes < 4096 { body.writeBuffer(&part) }
        case .end:
            waiting?.succeed((status, String(buffer: body)))
            waiting = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        waiting?.fail(GatewayHTTP.Failure(description: "the gateway's answer broke off"))
        waiting = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        waiting?.fail(GatewayHTTP.Failure(description: "the gateway closed the connection before answering"))
        waiting = nil
        context.fireChannelInactive()
    }
}
