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
