// A bounded pool of connections to one database, running DuckDB work on its own threads (never on NIO event loops).
import Foundation
import NIOPosix

/// A fixed number of connections to one database, each used by one task at a time, with a dedicated thread per
/// connection. Async callers (for example HTTP request handlers) hand it synchronous DuckDB work; the work runs on
/// the pool's threads, so the caller's event loop is never blocked, and at most `size` statements run at once.
public final class ConnectionPool: Sendable {
    /// The database the connections belong to.
    public let database: Database
    /// The number of connections (and threads).
    public let size: Int
    private let threads: NIOThreadPool
    private let idle: IdleConnections

    /// Opens `size` connections to `database` and starts their threads.
    public init(database: Database, size: Int) throws {
        precondition(size >= 1, "a connection pool needs at least one connection")
        self.database = database
        self.size = size
        var connections: [Connection] = []
        for _ in 0..<size { connections.append(try database.connect()) }
        idle = IdleConnections(connections)
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
    }

    /// Runs `body` with a connection on one of the pool's threads and returns its result. At most `size` bodies run
    /// at once; others wait their turn. The body must leave the connection as it found it (no open transaction):
    /// use `Connection.withTransaction`.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await threads.runIfActive { [idle] in
            // One job runs per thread and there are as many connections as threads, so one is always idle here.
            let lease = idle.take()
            defer { idle.put(lease) }
            return try body(lease.connection)
        }
    }

    /// Runs `body` in a transaction on a pooled connection (see `Connection.withTransaction`).
    @discardableResult
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withConnection { connection in try connection.withTransaction(body) }
    }

    /// Interrupts every statement currently running in the pool.
    public func interruptAll() { idle.interruptAll() }

    /// Stops the threads (after running work finishes) and closes the connections.
    public func shutdown() async throws {
        try await threads.shutdownGracefully()
        idle.closeAll()
    }
}

/// Connections not in use, guarded by a lock. A `Lease` carries a connection across the thread-pool boundary.
private final class IdleConnections: @unchecked Sendable {
    // Every access to `available` and `all` happens under `lock`; a leased connection is used by one thread only.
    private let lock = NSLock()
    private var available: [Connection]
    private let all: [InterruptHandle]

    struct Lease: @unchecked Sendable {
        let connection: Connection
    }

    init(_ connections: [Connection]) {
        available = connections
        all = connections.map(\.interruptHandle)
    }

    func take() -> Lease {
        lock.lock()
        defer { lock.unlock() }
        precondition(!available.isEmpty, "connection pool invariant broken: more jobs than connections")
        return Lease(connection: available.removeLast())
    }

    func put(_ lease: Lease) {
        lock.lock()
        defer { lock.unlock() }
        available.append(lease.connection)
    }

    func interruptAll() {
        for handle in all { handle.interrupt() }
    }

    func closeAll() {
        lock.lock()
        defer { lock.unlock() }
        for connection in available { connection.close() }
        available.removeAll()
    }
}
