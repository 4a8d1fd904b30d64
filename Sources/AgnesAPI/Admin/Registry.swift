// The table registry as administrators see and change it (`/api/admin/registry`, `/api/admin/register-table`).
import Foundation

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

/// The period of a partitioned table's parts.
public enum PartitionGranularity: String, Codable, Sendable, CaseIterable {
    case day, month, year
}

/// One row filter of an export (upstream's `where_filters` item): `column` equal (`eq`) or not equal (`ne`) to one of
/// `values`. A value may be a date placeholder (`{{today}}`, `{{yesterday}}`, `{{this_month}}`, `{{last_month}}`,
/// `{{this_year}}`, `{{last_year}}`), resolved when the sync runs.
public struct WhereFilter: Codable, Sendable, Equatable {
    public var column: String
    public var `operator`: String?
    public var values: [String]

    public init(column: String, operator: String? = nil, values: [String]) {
        self.column = column
        self.operator = `operator`
        self.values = values
    }

    enum CodingKeys: String, CodingKey { case column, `operator`, values }

    /// Values may be numbers or booleans in JSON; they are compared as text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        column = try container.decode(String.self, forKey: .column)
        `operator` = try container.decodeIfPresent(String.self, forKey: .operator)
        values = try container.decode([JSONValue].self, forKey: .values).map { value in
            switch value {
            case let .string(text): return text
            case let .number(number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case let .bool(flag): return String(flag)
            default: throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "values must be strings or numbers")
            }
        }
    }
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
    /// Synced and queryable on the server, never distributed (no download, not pulled).
    public var serverOnly: Bool = false
    /// The table's access policy: one DuckDB SELECT over the table that decides which rows and columns a caller sees
    /// (docs/access-policies.md); nil for none.
    public var accessPolicySQL: String?
    /// Why the policy is what it is (required with a policy).
    public var accessPolicyNote: String?
    /// Other tables the policy may join (e.g. a user-to-region mapping).
    public var policyMapping: [String] = []
    public var accessPolicyUpdatedAt: Date?
    public var accessPolicyUpdatedBy: String?
    /// Upstream's export options (read by the `keboola` connector): rows an export keeps.
    public var whereFilters: [WhereFilter]?
    /// An incremental sync asks for rows changed since the last sync minus this many days (7).
    public var incrementalWindowDays: Int?
    /// The first sync of an incremental or partitioned table reaches this many days back (nil: everything).
    public var maxHistoryDays: Int?
    /// The period of a partitioned table's parts (month).
    public var partitionGranularity: PartitionGranularity?
    /// The first load of a partitioned table is exported this many days at a time (30).
    public var initialLoadChunkDays: Int?

    public init(id: String, name: String, sourceName: String? = nil, sourceType: String? = nil, bucket: String? = nil,
                sourceTable: String? = nil, sourceQuery: String? = nil, queryMode: QueryMode = .local,
                syncStrategy: SyncStrategy = .fullRefresh, syncSchedule: String? = nil, primaryKey: [String] = [],
                incrementalColumn: String? = nil, partitionBy: String? = nil, folder: String? = nil,
                description: String? = nil, registeredBy: String? = nil, registeredAt: Date = Date(), updatedAt: Date = Date(),
                serverOnly: Bool = false, accessPolicySQL: String? = nil, accessPolicyNote: String? = nil, policyMapping: [String] = []) {
        self.serverOnly = serverOnly
        self.accessPolicySQL = accessPolicySQL
        self.accessPolicyNote = accessPolicyNote
        self.policyMapping = policyMapping
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
        case serverOnly = "server_only"
        case accessPolicySQL = "access_policy_sql"
        case accessPolicyNote = "access_policy_note"
        case policyMapping = "policy_mapping"
        case accessPolicyUpdatedAt = "access_policy_updated_at"
        case accessPolicyUpdatedBy = "access_policy_updated_by"
        case whereFilters = "where_filters"
        case incrementalWindowDays = "incremental_window_days"
        case maxHistoryDays = "max_history_days"
        case partitionGranularity = "partition_granularity"
        case initialLoadChunkDays = "initial_load_chunk_days"
    }

    /// Whether an access policy decides what callers see of the table.
    public var hasPolicy: Bool { accessPolicySQL != nil }

    /// Table ids are slugs: a lower-case letter, then up to 62 lower-case letters, digits or underscores.
    public static func isValidId(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 63, ("a"..."z").contains(first) else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// A registered table with its last sync error (`GET /api/admin/registry`).
public struct RegistryEntry: Codable, Sendable, Equatable {
    public var table: RegisteredTable
    public var lastSyncError: String?

    public init(table: RegisteredTable, lastSyncError: String?) {
        self.table = table
        self.lastSyncError = lastSyncError
    }

    enum CodingKeys: String, CodingKey {
        case lastSyncError = "last_sync_error"
    }

    public init(from decoder: any Decoder) throws {
        table = try RegisteredTable(from: decoder)
        lastSyncError = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .lastSyncError)
    }

    public func encode(to encoder: any Encoder) throws {
        try table.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lastSyncError, forKey: .lastSyncError)
    }
}

/// The body of `GET /api/admin/registry`.
public struct RegistryList: Codable, Sendable, Equatable {
    public var tables: [RegistryEntry]
    public var count: Int

    public init(tables: [RegistryEntry]) {
        self.tables = tables
        count = tables.count
    }
}

/// The fields of a registration (`POST /api/admin/register-table`); all optional for an update
/// (`PUT /api/admin/registry/{id}`), where absent fields keep their value.
public struct TableFields: Codable, Sendable, Equatable {
    public var name: String?
    public var sourceName: String?
    public var sourceType: String?
    public var bucket: String?
    public var sourceTable: String?
    public var sourceQuery: String?
    public var queryMode: QueryMode?
    public var syncStrategy: SyncStrategy?
    /// `every 6h`, `daily 03:00`, a cron expression, or empty for manual syncs only.
    public var syncSchedule: String?
    public var primaryKey: [String]?
    public var incrementalColumn: String?
    public var partitionBy: String?
    public var folder: String?
    public var description: String?
    public var serverOnly: Bool?
    /// The access policy: absent keeps it, `null` (or an empty text) clears it.
    public var accessPolicySQL: FieldUpdate<String> = .keep
    public var accessPolicyNote: String?
    public var policyMapping: [String]?
    public var whereFilters: [WhereFilter]?
    public var incrementalWindowDays: Int?
    public var maxHistoryDays: Int?
    public var partitionGranularity: PartitionGranularity?
    public var initialLoadChunkDays: Int?

    public init(name: String? = nil, sourceName: String? = nil, sourceType: String? = nil, bucket: String? = nil, sourceTable: String? = nil,
                sourceQuery: String? = nil, queryMode: QueryMode? = nil, syncStrategy: SyncStrategy? = nil, syncSchedule: String? = nil,
                primaryKey: [String]? = nil, incrementalColumn: String? = nil, partitionBy: String? = nil, folder: String? = nil,
                description: String? = nil, serverOnly: Bool? = nil, accessPolicySQL: FieldUpdate<String> = .keep,
                accessPolicyNote: String? = nil, policyMapping: [String]? = nil) {
        self.serverOnly = serverOnly
        self.accessPolicySQL = accessPolicySQL
        self.accessPolicyNote = accessPolicyNote
        self.policyMapping = policyMapping
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
    }

    enum CodingKeys: String, CodingKey {
        case name, bucket, folder, description
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
        case serverOnly = "server_only"
        case accessPolicySQL = "access_policy_sql"
        case accessPolicyNote = "access_policy_note"
        case policyMapping = "policy_mapping"
        case whereFilters = "where_filters"
        case incrementalWindowDays = "incremental_window_days"
        case maxHistoryDays = "max_history_days"
        case partitionGranularity = "partition_granularity"
        case initialLoadChunkDays = "initial_load_chunk_days"
    }

    /// Whether the update touches the access policy (its text, note or mapping).
    public var touchesPolicy: Bool { accessPolicySQL.isGiven || accessPolicyNote != nil || policyMapping != nil }

    /// The names of the fields given (the update answer lists them).
    public var given: [String] {
        let present: [(String, Bool)] = [
            ("name", name != nil), ("source_name", sourceName != nil), ("source_type", sourceType != nil), ("bucket", bucket != nil),
            ("source_table", sourceTable != nil), ("source_query", sourceQuery != nil), ("query_mode", queryMode != nil),
            ("sync_strategy", syncStrategy != nil), ("sync_schedule", syncSchedule != nil), ("primary_key", primaryKey != nil),
            ("incremental_column", incrementalColumn != nil), ("partition_by", partitionBy != nil), ("folder", folder != nil),
            ("description", description != nil), ("server_only", serverOnly != nil), ("access_policy_sql", accessPolicySQL.isGiven),
            ("access_policy_note", accessPolicyNote != nil), ("policy_mapping", policyMapping != nil), ("where_filters", whereFilters != nil),
            ("incremental_window_days", incrementalWindowDays != nil), ("max_history_days", maxHistoryDays != nil),
            ("partition_granularity", partitionGranularity != nil), ("initial_load_chunk_days", initialLoadChunkDays != nil),
        ]
        return present.filter(\.1).map(\.0)
    }

    /// Sets the given fields on `table`.
    public func apply(to table: inout RegisteredTable) {
        if let name { table.name = name }
        if let whereFilters { table.whereFilters = whereFilters.isEmpty ? nil : whereFilters }
        if let incrementalWindowDays { table.incrementalWindowDays = incrementalWindowDays }
        if let maxHistoryDays { table.maxHistoryDays = maxHistoryDays }
        if let partitionGranularity { table.partitionGranularity = partitionGranularity }
        if let initialLoadChunkDays { table.initialLoadChunkDays = initialLoadChunkDays }
        if let sourceName { table.sourceName = sourceName }
        if let sourceType { table.sourceType = sourceType }
        if let bucket { table.bucket = bucket }
        if let sourceTable { table.sourceTable = sourceTable }
        if let sourceQuery { table.sourceQuery = sourceQuery }
        if let queryMode { table.queryMode = queryMode }
        if let syncStrategy { table.syncStrategy = syncStrategy }
        if let syncSchedule { table.syncSchedule = syncSchedule }
        if let primaryKey { table.primaryKey = primaryKey }
        if let incrementalColumn { table.incrementalColumn = incrementalColumn }
        if let partitionBy { table.partitionBy = partitionBy }
        if let folder { table.folder = folder }
        if let description { table.description = description }
        if let serverOnly { table.serverOnly = serverOnly }
        if accessPolicySQL.isGiven {
            let text = accessPolicySQL.applied(to: table.accessPolicySQL)?.trimmingCharacters(in: .whitespacesAndNewlines)
            table.accessPolicySQL = text?.isEmpty == false ? text : nil
        }
        if let accessPolicyNote { table.accessPolicyNote = accessPolicyNote.isEmpty ? nil : accessPolicyNote }
        if let policyMapping { table.policyMapping = policyMapping }
    }
}

/// The answer of a registration.
public struct TableRegistered: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// `registered`.
    public var status: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
        status = "registered"
    }
}

/// The answer of `POST /api/admin/register-table/precheck`: the table as a registration would store it (nothing is
/// stored), the columns its source gives, and what a sync of it would run into.
public struct TablePrecheck: Codable, Sendable, Equatable {
    /// A column the source gives for the table.
    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var type: String

        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// The registration itself passes (a 409 or 422 is answered instead when it does not).
    public var ok: Bool
    public var table: RegisteredTable
    /// Null when the source could not be read (see `warnings`).
    @Nullable public var columns: [Column]?
    public var warnings: [String]

    public init(table: RegisteredTable, columns: [Column]?, warnings: [String]) {
        ok = true
        self.table = table
        self.columns = columns
        self.warnings = warnings
    }
}

/// The answer of an update: the fields it changed.
public struct TableUpdated: Codable, Sendable, Equatable {
    public var id: String
    public var updated: [String]

    public init(id: String, updated: [String]) {
        self.id = id
        self.updated = updated
    }
}

/// A data source as administrators see it: its type, its configuration, and the names of the environment variables
/// that hold its secrets (never the secrets).
public struct SourceInfo: Codable, Sendable, Equatable {
    public var name: String
    /// `files`, `sqlite`, `postgres` or `mysql`.
    public var type: String
    public var config: JSONValue
    public var secretEnv: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, type: String, config: JSONValue, secretEnv: [String], createdAt: Date, updatedAt: Date) {
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

/// The body of `POST /api/admin/sources` and `PUT /api/admin/sources/{name}`.
public struct SourceRequest: Codable, Sendable, Equatable {
    /// Required to create (the path names it on update).
    public var name: String?
    public var type: String
    /// The connector's settings, a JSON object.
    public var config: JSONValue
    public var secretEnv: [String]?

    public init(name: String?, type: String, config: JSONValue, secretEnv: [String]?) {
        self.name = name
        self.type = type
        self.config = config
        self.secretEnv = secretEnv
    }

    enum CodingKeys: String, CodingKey {
        case name, type, config
        case secretEnv = "secret_env"
    }
}

/// The answer of `POST /api/admin/sources/{name}/test`: what a read of the source found, or why it failed.
public struct SourceTestResult: Codable, Sendable, Equatable {
    public var ok: Bool
    @Nullable public var message: String?
    @Nullable public var error: String?

    public init(ok: Bool, message: String?, error: String?) {
        self.ok = ok
        self.message = message
        self.error = error
    }
}

/// The body of `PUT /api/admin/registry/{id}/columns/{column}`.
public struct ColumnDescriptionRequest: Codable, Sendable, Equatable {
    /// What the column means; null or empty clears it.
    public var description: String?

    public init(description: String?) { self.description = description }
}

/// The answer: the column's description as stored.
public struct ColumnDescribed: Codable, Sendable, Equatable {
    public var tableId: String
    public var column: String
    @Nullable public var description: String?

    public init(tableId: String, column: String, description: String?) {
        self.tableId = tableId
        self.column = column
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case column, description
        case tableId = "table_id"
    }
}
