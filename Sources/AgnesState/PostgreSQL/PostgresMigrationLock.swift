// Migrating a shared PostgreSQL state once: every process that starts takes the same session advisory lock before it
// reads `schema_migrations`, so two replicas starting together apply each step once (the second finds it applied).

enum PostgresMigrationLock {
    /// The advisory lock's key: "agnes-mg" as a 64-bit number (any fixed value no other client of the database uses).
    static let key: Int64 = 0x6167_6E65_732D_6D67

    /// Runs `body` holding the lock on `connection` (waiting while another process holds it), then releases it.
    static func holding<T>(on connection: any StateConnection, _ body: () throws -> T) throws -> T {
        try connection.execute("SELECT pg_advisory_lock($1)", key)
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", key) }
        return try body()
    }
}
