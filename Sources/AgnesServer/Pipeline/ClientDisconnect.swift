// Tells long work that its client went away. The server allows half-closed connections (as Hummingbird sets it), so a
// client that gives up shows first as "input closed", not as a closed channel: this handler turns either into a call
// of the actions that requests running on the connection registered, to interrupt DuckDB. A request registers for as
// long as its work runs, so a long keep-alive connection keeps nothing of the requests it has finished.
import AgnesDomain
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Watches one connection for its client leaving (input closed or connection gone).
final class ClientDisconnectWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private struct State {
        var gone = false
        var next: UInt64 = 0
        var actions: [UInt64: @Sendable () -> Void] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Calls `action` when the client leaves while it is registered (at once when it has left already); returns the
    /// key to `unregister` it with.
    func register(_ action: @escaping @Sendable () -> Void) -> UInt64? {
        let key = state.withLockedValue { state -> UInt64? in
            if state.gone { return nil }
            state.next += 1
            state.actions[state.next] = action
            return state.next
        }
        if key == nil { action() }
        return key
    }

    func unregister(_ key: UInt64?) {
        guard let key else { return }
        _ = state.withLockedValue { $0.actions.removeValue(forKey: key) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { clientLeft() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { clientLeft() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientLeft()
        context.fireChannelInactive()
    }

    private func clientLeft() {
        let actions = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.gone = true
            defer { state.actions.removeAll() }
            return Array(state.actions.values)
        }
        for action in actions { action() }
    }
}

/// The client of one connection, as a use case's caller: its leaving interrupts the work.
struct ConnectionPresence: CallerPresence {
    let channel: any Channel

    func untilCallerLeaves<T>(_ onLeave: @escaping @Sendable () -> Void, _ work: () async throws -> T) async throws -> T {
        let watcher = try? await channel.pipeline.handler(type: ClientDisconnectWatcher.self).get()
        let key = watcher?.register(onLeave)
        defer { watcher?.unregister(key) }
        return try await work()
    }
}

extension AgnesRequestContext {
    /// The authenticated caller as the use cases see it (401 without authentication).
    func caller() throws -> Caller {
        Caller(identity: try requireIdentity(), audit: audit, requestId: requestId, presence: ConnectionPresence(channel: channel))
    }
}
