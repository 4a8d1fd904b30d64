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
    /// With table data on DuckLake, the lake snapshot of the last good sync (nil: not written to the lake).
    public var lakeVersion: Int64?

    enum CodingKeys: String, CodingKey {
        case rows, columns, sha256, md5, files, status, error
        case tableId = "table_id"
        case lastSync = "last_sync"
        case fileSizeBytes = "file_size_bytes"
        case schemaHash = "schema_hash"
        case lakeVersion = "lake_version"
    }
}

/// What a finished sync of one table produced.
public struct SyncResult: Sendable, Equatable {
    public var startedAt: Date
    public var finishedAt: Date
    public var trigger: String
    public var outcome: Outcome
    /// The DuckLake snapshot a successful sync wrote the table at, when table data is on DuckLake.
    public var lakeVersion: Int64?

    public enum Outcome: Sendable, Equatable {
        case succeeded(rows: Int64, bytes: Int64, columns: Int32, sha256: String?, md5: String?, schemaHash: String?, files: String?)
        case failed(String)
    }

    public init(startedAt: Date, finishedAt: Date, trigger: String, outcome: Outcome, lakeVersion: Int64? = nil) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.trigger = trigger
        self.outcome = outcome
        self.lakeVersion = lakeVersion
    }
}
