// Tells long work that its client went away. The server allows half-closed connections (as Hummingbird sets it), so a
// client that gives up shows first as "input closed", not as a closed channel: this handler turns either into one
// future a route can wait on to interrupt DuckDB.
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Watches one connection for its client leaving (input closed or connection gone).
final class ClientDisconnectWatcher: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    // Set on the event loop in `handlerAdded`; read from route tasks through the lock.
    private let promise = NIOLockedValueBox<EventLoopPromise<Void>?>(nil)

    /// Completes when the client closed its side or the connection closed.
    var clientGone: EventLoopFuture<Void>? { promise.withLockedValue { $0?.futureResult } }

    func handlerAdded(context: ChannelHandlerContext) {
        promise.withLockedValue { $0 = context.eventLoop.makePromise(of: Void.self) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { fire() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { fire() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fire()
        context.fireChannelInactive()
    }

    private func fire() { promise.withLockedValue { $0 }?.succeed(()) }
}

extension AgnesRequestContext {
    /// Calls `action` once the client has gone away (at most once; never if it stays until the work is done).
    func whenClientLeaves(_ action: @escaping @Sendable () -> Void) {
        let once = NIOLockedValueBox(false)
        let fire: @Sendable () -> Void = {
            if once.withLockedValue({ done in defer { done = true }; return !done }) { action() }
        }
        channel.pipeline.handler(type: ClientDisconnectWatcher.self).whenSuccess { watcher in
            watcher.clientGone?.whenComplete { _ in fire() }
        }
        channel.closeFuture.whenComplete { _ in fire() }
    }
}
