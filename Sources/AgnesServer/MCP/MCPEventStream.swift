// The older MCP transport over HTTP and server-sent events (protocol 2024-11-05), which upstream still serves for older
// clients: `GET /api/mcp/sse` opens an event stream whose first event names the URL to post messages to
// (`/api/mcp/messages/?session_id=…`); each JSON-RPC message the client posts there is answered on the stream. One SDK
// `Server` per stream, bound to its caller; the stream ends when the client goes away.
import Foundation
import Logging
import MCP
import NIOCore
import Synchronization

/// The SDK transport of one event stream: messages posted by the client in, events out.
actor MCPEventStreamTransport: Transport {
    nonisolated let logger = Logger(label: "agnes.mcp.sse")
    nonisolated let incoming: AsyncThrowingStream<Data, any Error>
    private nonisolated let incomingContinuation: AsyncThrowingStream<Data, any Error>.Continuation
    /// The stream's bytes: events and keep-alive comments.
    nonisolated let events: AsyncStream<ByteBuffer>
    private nonisolated let eventsContinuation: AsyncStream<ByteBuffer>.Continuation

    init() {
        (incoming, incomingContinuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        (events, eventsContinuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
    }

    func connect() async throws {}

    func disconnect() async {
        close()
    }

    func send(_ data: Data) async throws {
        emit(event: "message", data: String(decoding: data, as: UTF8.self))
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { incoming }

    /// A message the client posted.
    nonisolated func deliver(_ data: Data) {
        incomingContinuation.yield(data)
    }

    /// One event; a line break in the data continues it on another `data:` line, as the format requires.
    nonisolated func emit(event: String, data: String) {
        let lines = data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)" }.joined(separator: "\n")
        eventsContinuation.yield(ByteBuffer(string: "event: \(event)\n\(lines)\n\n"))
    }

    /// A comment line, so proxies and clients see the stream alive.
    nonisolated func keepAlive() {
        eventsContinuation.yield(ByteBuffer(string: ": keep-alive\n\n"))
    }

    nonisolated func close() {
        incomingContinuation.finish()
        eventsContinuation.finish()
    }
}

/// The open event streams, by session id, with the credential that opened each.
final class MCPEventStreams: Sendable {
    struct Session: Sendable {
        let transport: MCPEventStreamTransport
        let owner: String
    }

    private let sessions = Mutex([String: Session]())
    let capacity: Int
    /// Streams one credential may hold open at once.
    let capacityPerOwner: Int

    init(capacity: Int = 1_000, capacityPerOwner: Int = 16) {
        self.capacity = capacity
        self.capacityPerOwner = capacityPerOwner
    }

    /// Registers a stream; false when as many are open as allowed, in all or for its owner.
    func add(_ session: Session, id: String) -> Bool {
        sessions.withLock { sessions in
            guard sessions.count < capacity, sessions.values.count(where: { $0.owner == session.owner }) < capacityPerOwner else { return false }
            sessions[id] = session
            return true
        }
    }

    /// The stream `id` if `owner` opened it (someone else's session id finds nothing).
    func session(_ id: String, owner: String) -> Session? {
        sessions.withLock { sessions in sessions[id].flatMap { $0.owner == owner ? $0 : nil } }
    }

    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    var count: Int { sessions.withLock { $0.count } }
}
