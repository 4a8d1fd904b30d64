// Work that processes sharing a state must not do twice at once — building a file on demand into the shared data
// directory (a policy slice, the whole-table file of a partitioned table) — runs under a PostgreSQL advisory lock named
// after it, held on a connection of its own for as long as the work lasts. An embedded state has one process, whose
// own locks suffice.
import Foundation

public struct ExclusiveWork: Sendable {
    public let location: StateLocation

    public init(location: StateLocation) { self.location = location }

    /// Runs `body` while no other process sharing the state runs work of the same `name` (waiting for it to finish
    /// first). Blocking: call it off the event loop and off Swift's cooperative pool.
    public func run<T>(_ name: String, _ body: () throws -> T) throws -> T {
        guard case let .postgreSQL(server) = location else { return try body() }
        let connection = try PostgresStatePool.open(server, id: 0)
        defer { connection.close() }
        // A 64-bit key from the name; session-level, so it is released by the unlock below or, if the process dies,
        // with its connection.
        try connection.execute("SELECT pg_advisory_lock(hashtextextended($1, \(Self.seed)))", "agnes-work:" + name)
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(hashtextextended($1, \(Self.seed)))", "agnes-work:" + name) }
        return try body()
    }

    /// The seed of the lock keys (any fixed number: keys differ from the migration and scheduler locks by their prefix).
    static let seed = 7_331
}
