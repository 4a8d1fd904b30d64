// The HTTP edge of every connection: once a client sends the first byte of a request it has `headerTimeout` to send
// the whole head (request line and headers), so a client that trickles headers cannot hold a connection; and a request
// that does not parse is answered `400 {"detail": …}` like every other error, then the connection closes. Idle
// connections (no request begun) are closed by Hummingbird's idle timeout.
import AgnesAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Added after Hummingbird's HTTP decoding (one per connection); puts `RequestBytesWatcher` at the front of the
/// pipeline, where the first raw byte of each request is seen.
final class RequestHeadGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headerTimeout: TimeAmount
    /// Between requests: the next byte starts the clock for the next head.
    private var awaitingHead = true
    /// When the head being awaited began (its first byte), or nil when none is under way.
    private var headStarted: NIODeadline?
    /// The pending check. It is not cancelled when a head completes: a keep-alive connection answering thousands of
    /// requests a second schedules one check per `headerTimeout`, not one per request; when it fires it closes the
    /// connection only if the head under way then started `headerTimeout` ago, and otherwise waits for that head.
    private var deadline: Scheduled<Void>?
    private var answeredError = false

    init(headerTimeout: TimeAmount) { self.headerTimeout = headerTimeout }

    func handlerAdded(context: ChannelHandlerContext) {
        // The clock starts with a request's first byte; a connection that sends nothing is the idle timeout's.
        try? context.pipeline.syncOperations.addHandler(RequestBytesWatcher(guard: self), position: .first)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    /// Called by the watcher when request bytes arrive.
    func bytesArrived(_ context: ChannelHandlerContext) {
        guard awaitingHead, headStarted == nil else { return }
        let started = NIODeadline.now()
        headStarted = started
        if deadline == nil { check(context, at: started + headerTimeout) }
    }

    private func check(_ context: ChannelHandlerContext, at time: NIODeadline) {
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: time) { [weak self] in
            guard let self else { return }
            self.deadline = nil
            guard self.awaitingHead, let started = self.headStarted else { return }
            if NIODeadline.now() >= started + self.headerTimeout {
                context.close(promise: nil)
            } else {
                self.check(context, at: started + self.headerTimeout)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            awaitingHead = false
            headStarted = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { awaitingHead = true }
        context.write(data, promise: promise)
    }

    /// A request that does not parse: `400 {"detail": …}` and close, instead of an empty 400.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answeredError else { return }
        answeredError = true
        deadline?.cancel()
        let detail = "Malformed HTTP request (\(error)): check the request line, the headers and the body framing"
        let body = (try? JSONCoding.encoder.encode(["detail": detail])) ?? Data()
        let head = HTTPResponse(status: .badRequest, headerFields: [.contentType: "application/json; charset=utf-8",
                                                                   .contentLength: String(body.count), .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Sees the raw bytes of the connection and tells the guard when a request begins.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private weak var headGuard: RequestHeadGuard?
    private var guardContext: ChannelHandlerContext?

    init(guard headGuard: RequestHeadGuard) { self.headGuard = headGuard }

    func handlerAdded(context: ChannelHandlerContext) {
        guardContext = try? context.pipeline.syncOperations.context(handlerType: RequestHeadGuard.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let headGuard, let guardContext { headGuard.bytesArrived(guardContext) }
        context.fireChannelRead(data)
    }
}
