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
            try mapUniqueViolation("a table named \(table.name) is registered under another id") {
                try connection.execute("""
                    INSERT INTO table_registry (id, name, source_name, source_type, bucket, source_table, source_query, query_mode,
                        sync_strategy, sync_schedule, primary_key, incremental_column, partition_by, folder, description, registered_by)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, source_name = excluded.source_name,
                        source_type = excluded.source_type, bucket = excluded.bucket, source_table = excluded.source_table,
                        source_query = excluded.source_query, query_mode = excluded.query_mode, sync_strategy = excluded.sync_strategy,
                        sync_schedule = excluded.sync_schedule, primary_key = excluded.primary_key,
                        incremental_column = excluded.incremental_column, partition_by = excluded.partition_by,
                        folder = excluded.folder, description = excluded.description, updated_at = now()
                    """, parameters: [table.id, table.name, table.sourceName, table.sourceType, table.bucket, table.sourceTable,
                                      table.sourceQuery, table.queryMode.rawValue, table.syncStrategy.rawValue, table.syncSchedule,
                                      table.primaryKey, table.incrementalColumn, table.partitionBy, table.folder, table.description,
                                      table.registeredBy])
            }
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
