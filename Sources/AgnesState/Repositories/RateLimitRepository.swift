// Rate-limit windows counted in the state database: one fixed window per key (an endpoint and a client), incremented
// atomically, so that every replica sharing a PostgreSQL state counts against the same budget. Rows no cache reads:
// written without moving the caches' generation (`StateStore.writeKeepingCaches`).
import DuckDB
import Foundation

public struct RateLimitRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Counts one attempt under `key` at `now` in a window of `window`: a window older than that starts again at
    /// `now`. Returns the window's start and its count including this attempt. Atomic across processes (one upsert;
    /// racing writers are retried by the store).
    public func count(key: String, window: Duration, now: Date = Date()) async throws -> (start: Date, count: Int) {
        struct Row: Decodable { let windowStart: Date; let count: Int64
            enum CodingKeys: String, CodingKey { case count; case windowStart = "window_start" } }
        let started = DuckDBTimestamp(now).date
        let expired = DuckDBTimestamp(now.addingTimeInterval(-window.seconds)).date
        let row = try await store.writeKeepingCaches { connection in
            try connection.fetchOne(Row.self, """
                INSERT INTO rate_limit_windows AS w (key, window_start, count) VALUES ($1, $2, 1)
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN w.window_start <= $3 THEN 1 ELSE w.count + 1 END,
                    window_start = CASE WHEN w.window_start <= $3 THEN excluded.window_start ELSE w.window_start END
                RETURNING window_start, count
                """, key, started, expired)
        }
        guard let row else { throw StateError.invalid("the rate-limit window \(key) was not written") }
        return (row.windowStart, Int(row.count))
    }

    /// Drops windows that started before `date` (they can only start again).
    public func removeWindows(startedBefore date: Date) async throws {
        try await store.writeKeepingCaches { connection in
            try connection.execute("DELETE FROM rate_limit_windows WHERE window_start < $1", DuckDBTimestamp(date).date)
        }
    }
}
