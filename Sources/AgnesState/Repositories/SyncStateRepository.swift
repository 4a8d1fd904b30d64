// Sync state and history: every finished sync writes a history row; failures keep the last good figures.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `sync_state` and `sync_history`.
public struct SyncStateRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Records a finished sync of `tableId`: one history row, and the table's state. A failure sets `status='error'`
    /// and the message, and leaves the last good figures (rows, size, hashes, files, last_sync) untouched.
    public func record(tableId: String, _ result: SyncResult) async throws {
        let historyId = Identifier.make()
        let durationMs = Int64((result.finishedAt.timeIntervalSince(result.startedAt) * 1000).rounded())
        try await store.write { connection in
            switch result.outcome {
            case let .succeeded(rows, bytes, columns, sha256, md5, schemaHash, files):
                try connection.execute("""
                    INSERT INTO sync_history (id, table_id, started_at, finished_at, trigger, rows, bytes, duration_ms, status)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ok')
                    """, parameters: [historyId, tableId, result.startedAt, result.finishedAt, result.trigger, rows, bytes, durationMs])
                let values: [(any DuckDBValueConvertible)?] = [tableId, result.finishedAt, rows, bytes, columns, sha256, md5, schemaHash, files,
                                                               result.lakeVersion]
                try updateOrInsert(connection, update: """
                    UPDATE sync_state SET last_sync = $2, rows = $3, file_size_bytes = $4, columns = $5, sha256 = $6, md5 = $7,
                        schema_hash = $8, files = $9, status = 'ok', error = NULL, lake_version = $10::BIGINT
                    WHERE table_id = $1
                    """, values, insert: """
                    INSERT INTO sync_state (table_id, last_sync, rows, file_size_bytes, columns, sha256, md5, schema_hash, files, status, error, lake_version)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ok', NULL, $10::BIGINT)
                    """, values)
            case let .failed(message):
                try connection.execute("""
                    INSERT INTO sync_history (id, table_id, started_at, finished_at, trigger, duration_ms, status, error)
                    VALUES ($1, $2, $3, $4, $5, $6, 'error', $7)
                    """, parameters: [historyId, tableId, result.startedAt, result.finishedAt, result.trigger, durationMs, message])
                try updateOrInsert(connection, update: "UPDATE sync_state SET status = 'error', error = $2 WHERE table_id = $1", [tableId, message],
                                   insert: "INSERT INTO sync_state (table_id, status, error) VALUES ($1, 'error', $2)", [tableId, message])
            }
        }
    }

    /// The state of one table, or nil when it never synced.
    public func state(tableId: String) async throws -> SyncState? {
        try await store.read { try $0.fetchOne(SyncState.self, "SELECT * FROM sync_state WHERE table_id = $1", tableId) }
    }

    /// The state of every table that has one.
    public func states() async throws -> [SyncState] {
        try await store.read { try $0.fetchAll(SyncState.self, "SELECT * FROM sync_state ORDER BY table_id") }
    }

    /// Sync history, newest first, optionally for one table, at most `limit` entries (capped at 1,000).
    public func history(tableId: String? = nil, limit: Int = 100) async throws -> [SyncHistoryEntry] {
        let limit = max(1, min(limit, 1_000))
        return try await store.read { connection in
            try connection.fetchAll(SyncHistoryEntry.self, """
                SELECT * FROM sync_history WHERE $1::VARCHAR IS NULL OR table_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2
                """, tableId, limit)
        }
    }
}
