// One process among those sharing a PostgreSQL state holds each leader lease — today the scheduler's. The lease is a
// session advisory lock on a connection of its own: it is held while that connection lives, so when the holder dies
// (or its connection drops) PostgreSQL releases it at once and a standby, which tries every `retry`, takes it over.
import Logging
import PostgresNIO
import Synchronization

/// A lease that at most one process holds at a time. On the embedded state there is one process: it always holds it.
public final class LeaderLease: Sendable {
    /// The scheduler's lease key: "agnes-sc" as a 64-bit number.
    public static let schedulerKey: Int64 = 0x6167_6E65_732D_7363

    private let held = HeldFlag()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Whether this process holds the lease now.
    public var isHeld: Bool { held.value.load(ordering: .acquiring) }

    /// Starts trying to take the lease `key` of the store's state (held at once on the embedded state).
    public init(store: StateStore, key: Int64, retry: Duration = .seconds(2), logger: Logger) {
        guard case let .postgreSQL(server) = store.location else {
            held.value.store(true, ordering: .releasing)
            return
        }
        let loop = Task.detached { [held] in
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: try server.configuration(), id: 0, logger: logger)
                    defer { held.value.store(false, ordering: .releasing) }
                    do {
                        while !Task.isCancelled {
                            if held.value.load(ordering: .acquiring) {
                                // Still connected means still held.
                                try await connection.query("SELECT 1", logger: logger)
                            } else {
                                let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
                                for try await taken in rows.decode(Bool.self) where taken {
                                    held.value.store(true, ordering: .releasing)
                                    logger.info("this process now holds the leader lease \(key)")
                                }
                            }
                            try await Task.sleep(for: retry)
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("leader lease \(key): \(error)") }
                    }
                    try? await connection.close()
                } catch {
                    if !Task.isCancelled { logger.warning("leader lease \(key) cannot connect: \(error)") }
                }
                try? await Task.sleep(for: retry)
            }
        }
        task.withLock { $0 = loop }
    }

    /// Gives the lease up (closing its connection) and stops trying.
    public func stop() async {
        guard let loop = task.withLock({ $0 }) else { return }
        loop.cancel()
        await loop.value
    }
}

/// Whether the lease is held, shared with the task that takes and keeps it.
private final class HeldFlag: Sendable {
    let value = Atomic<Bool>(false)
}
