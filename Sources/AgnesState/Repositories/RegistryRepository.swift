// The table registry: register/update (keeping who registered), list, unregister.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `table_registry`.
public struct RegistryRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = """
        id, name, source_name, source_type, bucket, source_table, source_query, query_mode, sync_strategy, sync_schedule,
        primary_key, incremental_column, partition_by, folder, description, registered_by, registered_at, updated_at,
        coalesce(server_only, false) AS server_only, access_policy_sql, access_policy_note,
        coalesce(policy_mapping, ARRAY[]::VARCHAR[]) AS policy_mapping, access_policy_updated_at, access_policy_updated_by,
        where_filters, incremental_window_days, max_history_days, partition_granularity, initial_load_chunk_days
        """

    /// `where_filters` as the JSON text the column holds.
    static func json(_ filters: [WhereFilter]?) -> String? {
        filters.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Inserts a table or updates the one with the same id. An update keeps `registered_by` and `registered_at`, and
    /// writes only the columns that change (nothing at all when none does).
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
            guard let existing else {
                try mapUniqueViolation("table \(table.id) was registered concurrently") {
                    try connection.execute("""
                        INSERT INTO table_registry (id, source_name, source_type, bucket, source_table, source_query, query_mode,
                            sync_strategy, sync_schedule, primary_key, incremental_column, partition_by, folder, description, name, registered_by,
                            server_only, access_policy_sql, access_policy_note, policy_mapping, access_policy_updated_at, access_policy_updated_by,
                            where_filters, incremental_window_days, max_history_days, partition_granularity, initial_load_chunk_days)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                                $23, $24, $25, $26, $27)
                        """, table.id, table.sourceName, table.sourceType, table.bucket, table.sourceTable, table.sourceQuery,
                        table.queryMode.rawValue, table.syncStrategy.rawValue, table.syncSchedule, table.primaryKey,
                        table.incrementalColumn, table.partitionBy, table.folder, table.description, table.name, table.registeredBy,
                        table.serverOnly, table.accessPolicySQL, table.accessPolicyNote, table.policyMapping,
                        table.accessPolicySQL == nil ? nil : DuckDBTimestamp(Date()).date, table.accessPolicySQL == nil ? nil : table.accessPolicyUpdatedBy,
                        Self.json(table.whereFilters), table.incrementalWindowDays.map { Int64($0) }, table.maxHistoryDays.map { Int64($0) },
                        table.partitionGranularity?.rawValue, table.initialLoadChunkDays.map { Int64($0) })
                }
                return try Self.fetch(connection, id: table.id)!
            }
            // Each UPDATE is planned anew and costs more with every column it sets, and DuckDB rewrites a row whose
            // indexed (name) or LIST (primary_key) columns are set — so only changed columns are written.
            var changes = Self.changedColumns(from: existing, to: table)
            if changes.isEmpty { return existing }
            let updatedAt = DuckDBTimestamp(Date()).date
            let policyChanged = changes.contains { ["access_policy_sql", "access_policy_note", "policy_mapping"].contains($0.column) }
            if policyChanged {
                changes.append(("access_policy_updated_at", updatedAt))
                changes.append(("access_policy_updated_by", table.accessPolicyUpdatedBy))
            }
            let assignments = changes.enumerated().map { "\($1.column) = $\($0 + 2)" } + ["updated_at = $\(changes.count + 2)"]
            try connection.execute("UPDATE table_registry SET \(assignments.joined(separator: ", ")) WHERE id = $1",
                                   parameters: [table.id] + changes.map(\.value) + [updatedAt])
            var updated = table
            updated.registeredBy = existing.registeredBy
            updated.registeredAt = existing.registeredAt
            updated.updatedAt = updatedAt
            if policyChanged { updated.accessPolicyUpdatedAt = updatedAt } else {
                updated.accessPolicyUpdatedAt = existing.accessPolicyUpdatedAt
                updated.accessPolicyUpdatedBy = existing.accessPolicyUpdatedBy
            }
            return updated
        }
    }

    /// The columns whose values differ between the stored row and the new registration, with the new values.
    static func changedColumns(from old: RegisteredTable, to new: RegisteredTable) -> [(column: String, value: (any DuckDBValueConvertible)?)] {
        var changes: [(column: String, value: (any DuckDBValueConvertible)?)] = []
        func compare<T: Equatable & DuckDBValueConvertible>(_ column: String, _ old: T?, _ new: T?) {
            if old != new { changes.append((column, new)) }
        }
        compare("name", old.name, new.name)
        compare("source_name", old.sourceName, new.sourceName)
        compare("source_type", old.sourceType, new.sourceType)
        compare("bucket", old.bucket, new.bucket)
        compare("source_table", old.sourceTable, new.sourceTable)
        compare("source_query", old.sourceQuery, new.sourceQuery)
        compare("query_mode", old.queryMode.rawValue, new.queryMode.rawValue)
        compare("sync_strategy", old.syncStrategy.rawValue, new.syncStrategy.rawValue)
        compare("sync_schedule", old.syncSchedule, new.syncSchedule)
        compare("primary_key", old.primaryKey, new.primaryKey)
        compare("incremental_column", old.incrementalColumn, new.incrementalColumn)
        compare("partition_by", old.partitionBy, new.partitionBy)
        compare("folder", old.folder, new.folder)
        compare("description", old.description, new.description)
        compare("server_only", old.serverOnly, new.serverOnly)
        compare("access_policy_sql", old.accessPolicySQL, new.accessPolicySQL)
        compare("access_policy_note", old.accessPolicyNote, new.accessPolicyNote)
        compare("policy_mapping", old.policyMapping, new.policyMapping)
        compare("where_filters", json(old.whereFilters), json(new.whereFilters))
        compare("incremental_window_days", old.incrementalWindowDays.map { Int64($0) }, new.incrementalWindowDays.map { Int64($0) })
        compare("max_history_days", old.maxHistoryDays.map { Int64($0) }, new.maxHistoryDays.map { Int64($0) })
        compare("partition_granularity", old.partitionGranularity?.rawValue, new.partitionGranularity?.rawValue)
        compare("initial_load_chunk_days", old.initialLoadChunkDays.map { Int64($0) }, new.initialLoadChunkDays.map { Int64($0) })
        return changes
    }

    public func get(id: String) async throws -> RegisteredTable? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    /// Every registered table by id.
    public func list() async throws -> [RegisteredTable] {
        try await store.read { try $0.fetchAll(RegisteredTable.self, "SELECT \(Self.columns) FROM table_registry ORDER BY id") }
    }

    /// Removes a table from the registry together with its sync state, profile, column notes, grants and places in
    /// data packages.
    public func unregister(id: String) async throws {
        try await store.write { connection in
            guard try Self.fetch(connection, id: id) != nil else { throw StateError.notFound(what: "table", id: id) }
            try connection.execute("DELETE FROM resource_grants WHERE resource_type = 'table' AND resource_id = $1", id)
            try DataPackagesRepository.unlink(.tables, member: id, in: connection)
            try connection.execute("DELETE FROM sync_state WHERE table_id = $1", id)
            try connection.execute("DELETE FROM table_profiles WHERE table_id = $1", id)
            try connection.execute("DELETE FROM column_metadata WHERE table_id = $1", id)
            try connection.execute("DELETE FROM table_registry WHERE id = $1", id)
        }
    }

    static func fetch(_ connection: any StateConnection, id: String) throws -> RegisteredTable? {
        try connection.fetchOne(RegisteredTable.self, "SELECT \(columns) FROM table_registry WHERE id = $1", id)
    }
}
