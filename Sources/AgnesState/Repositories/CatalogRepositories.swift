// Small repositories for catalog data: data sources, profiles and column notes, metrics, uploads, templates.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `data_sources`.
public struct DataSourcesRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Creates or replaces a connector instance. `config` must be a JSON object; secrets go in environment variables
    /// named by `secretEnv`, never in `config`.
    @discardableResult
    public func upsert(name: String, type: String, config: String, secretEnv: [String]) async throws -> DataSource {
        guard RegisteredTable.isValidId(name) else { throw StateError.invalid("source name '\(name)' must match ^[a-z][a-z0-9_]{0,62}$") }
        guard (try? JSONSerialization.jsonObject(with: Data(config.utf8))) is [String: Any] else {
            throw StateError.invalid("the config of source \(name) must be a JSON object")
        }
        return try await store.write { connection in
            let values: [(any DuckDBValueConvertible)?] = [name, type, config, secretEnv]
            try updateOrInsert(connection, update: "UPDATE data_sources SET type = $2, config = $3, secret_env = $4, updated_at = now() WHERE name = $1", values,
                               insert: "INSERT INTO data_sources (name, type, config, secret_env) VALUES ($1, $2, $3, $4)", values)
            return try connection.fetchOne(DataSource.self, "SELECT * FROM data_sources WHERE name = $1", name)!
        }
    }

    public func get(name: String) async throws -> DataSource? {
        try await store.read { try $0.fetchOne(DataSource.self, "SELECT * FROM data_sources WHERE name = $1", name) }
    }

    public func list() async throws -> [DataSource] {
        try await store.read { try $0.fetchAll(DataSource.self, "SELECT * FROM data_sources ORDER BY name") }
    }

    public func delete(name: String) async throws {
        try await store.write { connection in
            guard try connection.execute("DELETE FROM data_sources WHERE name = $1", name) == 1 else {
                throw StateError.notFound(what: "data source", id: name)
            }
        }
    }
}

/// Reads and writes `table_profiles` and `column_metadata`.
public struct ProfilesRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Stores the latest profile of a table (JSON text), replacing the previous one.
    public func save(tableId: String, profile: String, at date: Date = Date()) async throws {
        try await store.write { connection in
            let values: [(any DuckDBValueConvertible)?] = [tableId, profile, date]
            try updateOrInsert(connection, update: "UPDATE table_profiles SET profile = $2, profiled_at = $3 WHERE table_id = $1", values,
                               insert: "INSERT INTO table_profiles (table_id, profile, profiled_at) VALUES ($1, $2, $3)", values)
        }
    }

    public func profile(tableId: String) async throws -> TableProfile? {
        try await store.read { try $0.fetchOne(TableProfile.self, "SELECT * FROM table_profiles WHERE table_id = $1", tableId) }
    }

    /// Sets (or with nil clears) the description of a column.
    public func describe(tableId: String, column: String, description: String?, by userId: String?) async throws {
        try await store.write { connection in
            let values: [(any DuckDBValueConvertible)?] = [tableId, column, description, userId]
            try updateOrInsert(connection, update: """
                UPDATE column_metadata SET description = $3, updated_by = $4, updated_at = now() WHERE table_id = $1 AND column_name = $2
                """, values, insert: "INSERT INTO column_metadata (table_id, column_name, description, updated_by) VALUES ($1, $2, $3, $4)", values)
        }
    }

    public func columnNotes(tableId: String) async throws -> [ColumnNote] {
        try await store.read { try $0.fetchAll(ColumnNote.self, "SELECT * FROM column_metadata WHERE table_id = $1 ORDER BY column_name", tableId) }
    }

    /// The described columns of the given tables.
    public func columnNotes(tableIds: [String]) async throws -> [ColumnNote] {
        try await store.read {
            try $0.fetchAll(ColumnNote.self, "SELECT * FROM column_metadata WHERE list_contains($1, table_id) AND description IS NOT NULL", tableIds)
        }
    }

    /// Every described column (for the knowledge search).
    public func allColumnNotes() async throws -> [ColumnNote] {
        try await store.read {
            try $0.fetchAll(ColumnNote.self, "SELECT * FROM column_metadata WHERE description IS NOT NULL ORDER BY table_id, column_name")
        }
    }
}

/// Reads and writes `metric_definitions`.
public struct MetricsRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Creates or replaces a metric by its id (`<category>/<name>`), keeping its creation time.
    @discardableResult
    public func upsert(_ metric: MetricDefinition) async throws -> MetricDefinition {
        guard !metric.name.isEmpty, !metric.category.isEmpty else { throw StateError.invalid("a metric needs a name and a category") }
        return try await store.write { connection in
            let values: [(any DuckDBValueConvertible)?] = [metric.id, metric.name, metric.displayName, metric.category, metric.description,
                                                           metric.type, metric.unit, metric.grain, metric.tables, metric.expression,
                                                           metric.timeColumn, metric.dimensions, metric.filters, metric.synonyms, metric.notes,
                                                           metric.sql, metric.status, metric.source]
            try updateOrInsert(connection, update: """
                UPDATE metric_definitions SET name = $2, display_name = $3, category = $4, description = $5, type = $6, unit = $7,
                    grain = $8, tables = $9, expression = $10, time_column = $11, dimensions = $12, filters = $13, synonyms = $14,
                    notes = $15, sql = $16, status = $17, source = $18, updated_at = now()
                WHERE id = $1
                """, values, insert: """
                INSERT INTO metric_definitions (id, name, display_name, category, description, type, unit, grain, tables, expression,
                    time_column, dimensions, filters, synonyms, notes, sql, status, source)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                """, values)
            return try connection.fetchOne(MetricDefinition.self, "SELECT * FROM metric_definitions WHERE id = $1", metric.id)!
        }
    }

    public func get(id: String) async throws -> MetricDefinition? {
        try await store.read { try $0.fetchOne(MetricDefinition.self, "SELECT * FROM metric_definitions WHERE id = $1", id) }
    }

    /// The metrics of the given ids.
    public func list(ids: [String]) async throws -> [MetricDefinition] {
        try await store.read { try $0.fetchAll(MetricDefinition.self, "SELECT * FROM metric_definitions WHERE list_contains($1, id) ORDER BY id", ids) }
    }

    /// Metrics, optionally of one category, by id.
    public func list(category: String? = nil) async throws -> [MetricDefinition] {
        try await store.read { try $0.fetchAll(MetricDefinition.self, "SELECT * FROM metric_definitions WHERE $1::VARCHAR IS NULL OR category = $1 ORDER BY id", category) }
    }

    public func delete(id: String) async throws {
        try await store.write { connection in
            guard try connection.execute("DELETE FROM metric_definitions WHERE id = $1", id) == 1 else {
                throw StateError.notFound(what: "metric", id: id)
            }
            try DataPackagesRepository.unlink(.metrics, member: id, in: connection)
        }
    }
}

/// Reads and writes `uploads`.
public struct UploadsRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Records an upload; the same file again (same user, kind, name and sha256: a client retrying after a crash or a
    /// lost answer) is the upload already recorded, not a second one.
    @discardableResult
    public func record(userId: String, kind: UploadKind, name: String, bytes: Int64, sha256: String) async throws -> Upload {
        let id = Identifier.make()
        return try await store.write { connection in
            if let same = try connection.fetchOne(Upload.self, "SELECT * FROM uploads WHERE user_id = $1 AND kind = $2 AND name = $3 AND sha256 = $4 "
                                                  + "ORDER BY uploaded_at DESC LIMIT 1", userId, kind.rawValue, name, sha256) {
                return same
            }
            try connection.execute("INSERT INTO uploads (id, user_id, kind, name, bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6)",
                                   id, userId, kind.rawValue, name, bytes, sha256)
            return try connection.fetchOne(Upload.self, "SELECT * FROM uploads WHERE id = $1", id)!
        }
    }

    /// A user's uploads, newest first (everyone's when `userId` is nil).
    public func list(userId: String?, limit: Int = 100) async throws -> [Upload] {
        let limit = max(1, min(limit, 1_000))
        return try await store.read { connection in
            try connection.fetchAll(Upload.self, "SELECT * FROM uploads WHERE $1::VARCHAR IS NULL OR user_id = $1 ORDER BY uploaded_at DESC, id LIMIT $2", userId, limit)
        }
    }
}

/// Reads and writes `instance_templates`.
public struct TemplatesRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    public func get(key: String) async throws -> InstanceTemplate? {
        try await store.read { try $0.fetchOne(InstanceTemplate.self, "SELECT * FROM instance_templates WHERE key = $1", key) }
    }

    /// Sets a template's content.
    public func set(key: String, content: String, by userId: String?) async throws {
        try await store.write { connection in
            let values: [(any DuckDBValueConvertible)?] = [key, content, userId]
            try updateOrInsert(connection, update: "UPDATE instance_templates SET content = $2, updated_by = $3, updated_at = now() WHERE key = $1", values,
                               insert: "INSERT INTO instance_templates (key, content, updated_by) VALUES ($1, $2, $3)", values)
        }
    }

    /// Removes a template, so the built-in default applies again.
    public func reset(key: String) async throws {
        try await store.write { try $0.execute("DELETE FROM instance_templates WHERE key = $1", key) }
    }
}
