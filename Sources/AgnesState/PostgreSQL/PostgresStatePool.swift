// A fixed set of PostgreSQL connections, each lent to one thread at a time, as DuckDB's ConnectionPool lends its own:
// repository bodies are synchronous, so they run on the pool's threads and wait there for postgres-nio's answers.
import DuckDB
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// `size` connections to the state database and as many threads. A connection the server closed (a restart, a
/// failover) is opened again the next time it is lent.
final class PostgresStatePool: Sendable {
    let location: StateLocation.PostgreSQL
    let size: Int
    private let threads: NIOThreadPool
    private let idle: IdlePostgresConnections
    private let logger: Logger

    init(location: StateLocation.PostgreSQL, size: Int, logger: Logger = Logger(label: "agnes.state.postgres")) throws {
        precondition(size >= 1, "a connection pool needs at least one connection")
        self.location = location
        self.size = size
        self.logger = logger
        var connections: [PostgresStateConnection] = []
        do {
            for index in 0..<size { connections.append(try Self.open(location, id: index + 1, logger: logger)) }
        } catch {
            connections.forEach { $0.close() }
            throw error
        }
        idle = IdlePostgresConnections(connections)
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
    }

    /// A new connection outside the pool (the caller closes it).
    func dedicatedConnection() throws -> PostgresStateConnection {
        try Self.open(location, id: 1000 + Int.random(in: 0..<1_000_000), logger: logger)
    }

    static func open(_ location: StateLocation.PostgreSQL, id: Int, logger: Logger = Logger(label: "agnes.state.postgres")) throws -> PostgresStateConnection {
        try PostgresStateConnection.connect(try location.configuration(), on: MultiThreadedEventLoopGroup.singleton.next(), id: id, logger: logger)
    }

    /// Runs `body` with a connection on one of the pool's threads.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresStateConnection) throws -> T) async throws -> T {
        try await threads.runIfActive { [idle, location, logger] in
            var lease = idle.take()
            defer { idle.put(lease) }
            if lease.connection.isClosed {
                lease = IdlePostgresConnections.Lease(connection: try Self.open(location, id: Int.random(in: 1...1_000_000), logger: logger))
            }
            return try body(lease.connection)
        }
    }

    func shutdown() async throws {
        try await threads.shutdownGracefully()
        for connection in idle.all() { try? await connection.connection.close() }
    }

    /// `shutdown` for a caller that is not async (a store whose opening failed); call it off the event loops.
    func shutdownWaiting() {
        try? threads.syncShutdownGracefully()
        idle.closeAll()
    }
}

/// Connections not in use, guarded by a lock.
private final class IdlePostgresConnections: @unchecked Sendable {
    // Every access to `available` happens under `lock`; a leased connection is used by one thread only.
    private let lock = NSLock()
    private var available: [PostgresStateConnection]

    struct Lease: @unchecked Sendable {
        let connection: PostgresStateConnection
    }

    init(_ connections: [PostgresStateConnection]) { available = connections }

    /// One job runs per thread and there are as many connections as threads, so one is always idle here.
    func take() -> Lease { lock.withLock { Lease(connection: available.removeLast()) } }
    func put(_ lease: Lease) { lock.withLock { available.append(lease.connection) } }
    func all() -> [PostgresStateConnection] { lock.withLock { available } }
    func closeAll() { all().forEach { $0.close() } }
}
