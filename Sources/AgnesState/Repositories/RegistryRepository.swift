// The table registry: register/update (keeping who registered), list, unregister.
import DuckDB
import Foundation

/// Reads and writes `table_registry`.
public struct RegistryRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = """
        id, name, source_name, source_type, bucket, source_table, source_query, query_mode, sync_strategy, sync_schedule,
        primary_key, incremental_column, partition_by, folder, description, registered_by, registered_at, updated_at
        """

    /// Inserts a table or updates the one with the same id. An update keeps `registered_by` and `registered_at`.
    @discardableResult
    public func upsert(_ table: RegisteredTable) async throws -> RegisteredTable {
        guard RegisteredTable.isValidId(table.id) else {
            throw StateError.invalid("table id '\(table.id)' must match ^[a-z][a-z0-9_]{0,62}$")
        }
        return try await store.write { connection in
            let existing = try Self.fetch(connection, id: table.id)
            if existing?.name != table.name {
                // The name is unique too: a clash with another id is a conflict, not something to retry.
                if let holder = try connection.scalar(String.self, "SELECT id FROM table_registry WHERE name = $1", table.name) {
                    throw StateError.conflict("a table named \(table.name) is registered under another id (\(holder))")
                }
            }
            let values: [(any DuckDBValueConvertible)?] = [table.id, table.sourceName, table.sourceType, table.bucket, table.sourceTable,
                                                           table.sourceQuery, table.queryMode.rawValue, table.syncStrategy.rawValue,
                                                           table.syncSchedule, table.primaryKey, table.incrementalColumn,
                                                           table.partitionBy, table.folder, table.description]
            guard let existing else {
                try mapUniqueViolation("table \(table.id) was registered concurrently") {
                    try connection.execute("""
                        INSERT INTO table_registry (id, source_name, source_type, bucket, source_table, source_query, query_mode,
                            sync_strategy, sync_schedule, primary_key, incremental_column, partition_by, folder, description, name, registered_by)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                        """, parameters: values + [table.name, table.registeredBy])
                }
                return try Self.fetch(connection, id: table.id)!
            }
            // Updating the indexed name column is costly in DuckDB, so it is only written when it changes.
            if existing.name != table.name {
                try connection.execute("UPDATE table_registry SET name = $2 WHERE id = $1", table.id, table.name)
            }
            try connection.execute("""
                UPDATE table_registry SET source_name = $2, source_type = $3, bucket = $4, source_table = $5, source_query = $6,
                    query_mode = $7, sync_strategy = $8, sync_schedule = $9, primary_key = $10, incremental_column = $11,
                    partition_by = $12, folder = $13, description = $14, updated_at = now()
                WHERE id = $1
                """, parameters: values)
            return try Self.fetch(connection, id: table.id)!
        }
    }

    public func get(id: String) async throws -> RegisteredTable? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    /// Every registered table by id.
    public func list() async throws -> [RegisteredTable] {
        try await store.read { try $0.fetchAll(RegisteredTable.self, "SELECT \(Self.columns) FROM table_registry ORDER BY id") }
    }

    /// Removes a table from the registry together with its sync state, profile, column notes and grants.
    public func unregister(id: String) async throws {
        try await store.write { connection in
            guard try Self.fetch(connection, id: id) != nil else { throw StateError.notFound(what: "table", id: id) }
            try connection.execute("DELETE FROM resource_grants WHERE resource_type = 'table' AND resource_id = $1", id)
            try connection.execute("DELETE FROM sync_state WHERE table_id = $1", id)
            try connection.execute("DELETE FROM table_profiles WHERE table_id = $1", id)
            try connection.execute("DELETE FROM column_metadata WHERE table_id = $1", id)
            try connection.execute("DELETE FROM table_registry WHERE id = $1", id)
        }
    }

    static func fetch(_ connection: Connection, id: String) throws -> RegisteredTable? {
        try connection.fetchOne(RegisteredTable.self, "SELECT \(columns) FROM table_registry WHERE id = $1", id)
    }
}
