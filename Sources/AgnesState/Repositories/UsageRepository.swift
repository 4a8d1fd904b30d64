// Usage and readiness: when users last pulled (stamped in batches, off the request's path) and the readiness canary.
// Both write rows no cache reads, so they keep every cache (`StateStore.writeKeepingCaches`).
import AgnesAPI
import DuckDB
import Foundation

public struct UsageRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Records when each user last asked for the manifest, in one transaction.
    public func stampPulls(_ stamps: [String: Date]) async throws {
        guard !stamps.isEmpty else { return }
        try await store.writeKeepingCaches { connection in
            for (userId, date) in stamps {
                try connection.execute("UPDATE users SET last_pull_at = $2 WHERE id = $1", userId, DuckDBTimestamp(date).date)
            }
        }
    }

    /// Each user's last pull (nil: never).
    public func lastPulls() async throws -> [String: Date] {
        struct Row: Decodable { let id: String; let lastPullAt: Date?
            enum CodingKeys: String, CodingKey { case id; case lastPullAt = "last_pull_at" } }
        let rows = try await store.read { try $0.fetchAll(Row.self, "SELECT id, last_pull_at FROM users") }
        return Dictionary(rows.compactMap { row in row.lastPullAt.map { (row.id, $0) } }) { first, _ in first }
    }

    /// Each active user who ever pulled: email, last pull.
    public func pullers() async throws -> [(userId: String, email: String, lastPullAt: Date)] {
        struct Row: Decodable { let id: String; let email: String; let lastPullAt: Date
            enum CodingKeys: String, CodingKey { case id, email; case lastPullAt = "last_pull_at" } }
        return try await store.read {
            try $0.fetchAll(Row.self, "SELECT id, email, last_pull_at FROM users WHERE last_pull_at IS NOT NULL AND active ORDER BY last_pull_at DESC, email")
        }.map { ($0.id, $0.email, $0.lastPullAt) }
    }

    /// The tables each user downloaded since `date` (from the audit trail), by user id.
    public func downloads(since date: Date) async throws -> [String: [String]] {
        struct Row: Decodable { let userId: String; let tables: [String]
            enum CodingKeys: String, CodingKey { case tables; case userId = "user_id" } }
        let rows = try await store.read { connection in
            try connection.fetchAll(Row.self, """
                SELECT user_id, list(DISTINCT substr(resource, 7) ORDER BY substr(resource, 7)) AS tables FROM audit_log
                WHERE action = 'data.download' AND timestamp >= $1 AND user_id IS NOT NULL AND resource LIKE 'table:%'
                GROUP BY user_id
                """, DuckDBTimestamp(date).date)
        }
        return Dictionary(rows.map { ($0.userId, $0.tables) }) { first, _ in first }
    }

    /// The table ids anyone downloaded or queried on the server since `date`.
    public func usedTables(since date: Date) async throws -> Set<String> {
        struct Row: Decodable { let id: String }
        return Set(try await store.read { connection in
            try connection.fetchAll(Row.self, """
                SELECT DISTINCT trim(unnest(string_split(CASE WHEN action = 'data.download' THEN substr(resource, 7) ELSE resource END, ','))) AS id
                FROM audit_log WHERE action IN ('data.download', 'query.local') AND timestamp >= $1 AND resource IS NOT NULL
                """, DuckDBTimestamp(date).date)
        }.map(\.id))
    }

    /// Proves the database takes a write: rewrites the canary row and reads it back.
    public func writeCanary(at date: Date = Date()) async throws {
        let stamp = DuckDBTimestamp(date).date
        try await store.writeKeepingCaches { connection in
            let values: [(any DuckDBValueConvertible)?] = [Int32(1), stamp]
            try updateOrInsert(connection, update: "UPDATE health_canary SET written_at = $2 WHERE id = $1", values,
                               insert: "INSERT INTO health_canary (id, written_at) VALUES ($1, $2)", values)
            guard try connection.scalar(Int64.self, "SELECT count(*) FROM health_canary WHERE id = 1 AND written_at = $1", stamp) == 1 else {
                throw StateError.invalid("the readiness canary did not read back what it wrote")
            }
        }
    }
}
