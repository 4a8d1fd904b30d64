// What DuckDB itself costs for the statement shapes the repositories run: the same SQL on the same migrated and
// seeded database, executed inline on one connection (no pool hop, no decoding into records). These figures are the floor
// under the repository figures; they carry no budget of their own.
import DuckDB
import Foundation

/// Runs the engine-floor figures on `connection` (a connection of the benchmark's state database).
func measureEngineFloor(_ connection: Connection, userIds: [String], iterations: Int) async throws {
    let userColumns = "id, email, name, password_hash, active, deactivated_at, deactivated_by, created_at, updated_at, last_login_at"

    // A parameterized point read is bound and optimized again at every execution (DuckDB 1.5 keeps no plan for a
    // statement with parameters that reads a table); the same read with its value written into the SQL keeps its plan.
    // (The literal is an id this benchmark generated; the repositories never put values into SQL text.)
    try await measure("engine_point_read_parameterized", iterations: iterations, budgeted: false) {
        try connection.execute("SELECT \(userColumns) FROM users WHERE id = $1", userIds[$0 % userIds.count])
    }
    let literalRead = try connection.prepare("SELECT \(userColumns) FROM users WHERE id = '\(userIds[0])'")
    try await measure("engine_point_read_plan_kept", iterations: iterations, budgeted: false) { _ in try literalRead.execute() }
    // A durable commit of a one-row change (WAL write + fsync).
    try await measure("engine_update_one_row_and_commit", iterations: iterations, budgeted: false) {
        let id = userIds[$0 % userIds.count]
        try connection.withTransaction { try $0.execute("UPDATE users SET last_login_at = $2 WHERE id = $1", id, Date()) }
    }
    // The statements of SyncStateRepository.record (a successful sync): a history row and the table's state.
    try await measure("engine_sync_record", iterations: iterations, budgeted: false) {
        let tableId = "table_\($0 % 1_000)", now = Date()
        try connection.withTransaction { connection in
            try connection.execute("""
                INSERT INTO sync_history (id, table_id, started_at, finished_at, trigger, rows, bytes, duration_ms, status)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ok')
                """, parameters: [UUID().uuidString, tableId, now, now, "bench", 11, 110, 0])
            try connection.execute("""
                UPDATE sync_state SET last_sync = $2, rows = $3, file_size_bytes = $4, columns = $5, sha256 = $6, md5 = $7,
                    schema_hash = $8, files = $9, status = 'ok', error = NULL
                WHERE table_id = $1
                """, parameters: [tableId, now, 11, 110, 3, nil, nil, nil, nil])
        }
    }
    // The statements of RegistryRepository.upsert editing one column: read the row, update what changed.
    try await measure("engine_registry_edit", iterations: iterations, budgeted: false) { index in
        let id = "table_\(index % 1_000)"
        try connection.withTransaction { connection in
            _ = try connection.fetchAll(RegistryRow.self, "SELECT * FROM table_registry WHERE id = $1", id)
            try connection.execute("UPDATE table_registry SET description = $2, updated_at = $3 WHERE id = $1",
                                   id, "engine revision \(index)", Date())
        }
    }
}

/// The registry columns the edit reads back (all of them are fetched; these are decoded).
private struct RegistryRow: Decodable {
    var id: String
    var registeredBy: String?

    enum CodingKeys: String, CodingKey {
        case id
        case registeredBy = "registered_by"
    }
}
