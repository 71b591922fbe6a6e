import CentreConfig
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How many connections each client address holds on one listener: past
/// `cap`, a new one is closed at once. A client is its peer address, or,
/// for a trusted proxy's connections, the address its `X-Forwarded-For`
/// names (learnt from the connection's first request).
public final class ConnectionCounts: Sendable {
    public let cap: Int
    private let counts = Mutex<[String: Int]>([:])

    public init(cap: Int) { self.cap = cap }

    /// Counts a connection of `key`; false (and not counted) when `key` already holds `cap`.
    func open(_ key: String) -> Bool {
        counts.withLock { counts in
            let held = counts[key, default: 0]
            guard held < cap else { return false }
            counts[key] = held + 1
            return true
        }
    }

    func close(_ key: String) {
        counts.withLock { counts in
            let left = counts[key, default: 1] - 1
            counts[key] = left > 0 ? left : nil
        }
    }

    /// Connections `key` holds now.
    public func held(by key: String) -> Int { counts.withLock { $0[key, default: 0] } }
}

/// One per connection, after HTTP decoding: each request's head must be
/// complete within `headDeadline` of the connection's start (or of the
/// previous response's end), and its body within `bodyDeadline` of its
/// head; otherwise the connection is closed. An idle timeout alone resets
/// on every byte, so a client trickling a byte every few seconds could hold
/// a connection for ever. Also counts the connection against its client's
/// cap (`ConnectionCounts`).
public final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    public struct Settings: Sendable {
        public var headDeadline: TimeAmount
        public var bodyDeadline: TimeAmount
        public var counts: ConnectionCounts
        public var trusted: TrustedProxies

        public init(headDeadline: TimeAmount, bodyDeadline: TimeAmount, counts: ConnectionCounts, trusted: TrustedProxies) {
            self.headDeadline = headDeadline
            self.bodyDeadline = bodyDeadline
            self.counts = counts
            self.trusted = trusted
        }
    }

    private let settings: Settings
    private var timer: Scheduled<Void>?
    private var started = false
    /// The client this connection is counted for, once counted.
    private var counted: String?
    /// This request's response has ended (it may, before its body was read).
    private var answered = false
    /// A trusted proxy's connection: counted by its first request's forwarded address.
    private var fromProxy = false

    public init(_ settings: Settings) { self.settings = settings }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let peer = context.channel.remoteAddress
        fromProxy = !settings.trusted.isEmpty && peer.flatMap(ClientAddress.bytes(of:)).map(settings.trusted.contains) == true
        if !fromProxy { count(ClientAddress.key(peer: peer, forwardedFor: [], trusted: .none), context) }
        arm(settings.headDeadline, context)
    }

    private func count(_ key: String, _ context: ChannelHandlerContext) {
        guard settings.counts.open(key) else {
            context.close(promise: nil)
            return
        }
        counted = key
    }

    private func arm(_ deadline: TimeAmount, _ context: ChannelHandlerContext) {
        timer?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) { bound.value.close(promise: nil) }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            if fromProxy, counted == nil {
                count(ClientAddress.key(peer: context.channel.remoteAddress, forwardedFor: head.headerFields[values: .xForwardedFor],
                                        trusted: settings.trusted), context)
            }
            answered = false
            arm(settings.bodyDeadline, context)
        case .end:
            timer?.cancel()
            timer = nil
            // Answered before its body was all read: the next head is due already.
            if answered { arm(settings.headDeadline, context) }
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The next request's head is due from the end of this response.
        if case .end = unwrapOutboundIn(data) {
            answered = true
            arm(settings.headDeadline, context)
        }
        context.write(data, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if let counted { settings.counts.close(counted) }
        counted = nil
        context.fireChannelInactive()
    }
}
