// Data-plane records: connector instances, registered tables, their sync state and history.
import AgnesAPI
import DuckDB
import Foundation

/// A row of `data_sources`: a connector instance. Secrets are never stored, only names of environment variables.
public struct DataSource: Codable, Sendable, Equatable {
    public var name: String
    public var type: String
    /// Connector settings as JSON text (an object).
    public var config: String
    public var secretEnv: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, type: String, config: String, secretEnv: [String] = [], createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.name = name
        self.type = type
        self.config = config
        self.secretEnv = secretEnv
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, type, config
        case secretEnv = "secret_env"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// How a registered table is served.
public enum QueryMode: String, Codable, Sendable, CaseIterable {
    case local, materialized, remote
}

/// How a registered table is synced.
public enum SyncStrategy: String, Codable, Sendable, CaseIterable {
    case fullRefresh = "full_refresh"
    case incremental
    case partitioned
}

/// A row of `table_registry`: the source of truth for what Agnes exposes. `id` names files, views and grants.
public struct RegisteredTable: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var sourceName: String?
    public var sourceType: String?
    public var bucket: String?
    public var sourceTable: String?
    public var sourceQuery: String?
    public var queryMode: QueryMode
    public var syncStrategy: SyncStrategy
    public var syncSchedule: String?
    public var primaryKey: [String]
    public var incrementalColumn: String?
    public var partitionBy: String?
    public var folder: String?
    public var description: String?
    public var registeredBy: String?
    public var registeredAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, sourceName: String? = nil, sourceType: String? = nil, bucket: String? = nil,
                sourceTable: String? = nil, sourceQuery: String? = nil, queryMode: QueryMode = .local,
                syncStrategy: SyncStrategy = .fullRefresh, syncSchedule: String? = nil, primaryKey: [String] = [],
                incrementalColumn: String? = nil, partitionBy: String? = nil, folder: String? = nil,
                description: String? = nil, registeredBy: String? = nil, registeredAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.name = name
        self.sourceName = sourceName
        self.sourceType = sourceType
        self.bucket = bucket
        self.sourceTable = sourceTable
        self.sourceQuery = sourceQuery
        self.queryMode = queryMode
        self.syncStrategy = syncStrategy
        self.syncSchedule = syncSchedule
        self.primaryKey = primaryKey
        self.incrementalColumn = incrementalColumn
        self.partitionBy = partitionBy
        self.folder = folder
        self.description = description
        self.registeredBy = registeredBy
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, bucket, folder, description
        case sourceName = "source_name"
        case sourceType = "source_type"
        case sourceTable = "source_table"
        case sourceQuery = "source_query"
        case queryMode = "query_mode"
        case syncStrategy = "sync_strategy"
        case syncSchedule = "sync_schedule"
        case primaryKey = "primary_key"
        case incrementalColumn = "incremental_column"
        case partitionBy = "partition_by"
        case registeredBy = "registered_by"
        case registeredAt = "registered_at"
        case updatedAt = "updated_at"
    }

    /// Table ids are slugs: a lower-case letter, then up to 62 lower-case letters, digits or underscores.
    public static func isValidId(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 63, ("a"..."z").contains(first) else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// A row of `sync_state`: the last good figures of a table, and its last error.
public struct SyncState: Codable, Sendable, Equatable {
    public var tableId: String
    public var lastSync: Date?
    public var rows: Int64?
    public var fileSizeBytes: Int64?
    public var columns: Int32?
    public var sha256: String?
    public var md5: String?
    public var schemaHash: String?
    /// Parquet files as JSON text (`[{"path":…, "bytes":…, "sha256":…}]`).
    public var files: String?
    public var status: SyncStatus
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case rows, columns, sha256, md5, files, status, error
        case tableId = "table_id"
        case lastSync = "last_sync"
        case fileSizeBytes = "file_size_bytes"
        case schemaHash = "schema_hash"
    }
}

/// What a finished sync of one table produced.
public struct SyncResult: Sendable, Equatable {
    public var startedAt: Date
    public var finishedAt: Date
    public var trigger: String
    public var outcome: Outcome

    public enum Outcome: Sendable, Equatable {
        case succeeded(rows: Int64, bytes: Int64, columns: Int32, sha256: String?, md5: String?, schemaHash: String?, files: String?)
        case failed(String)
    }

    public init(startedAt: Date, finishedAt: Date, trigger: String, outcome: Outcome) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.trigger = trigger
        self.outcome = outcome
    }
}
