// The catalog, as upstream (§1.6): the tables a caller may read, their schema and a sample of their rows.
import Foundation

/// One row of `GET /api/catalog/tables`.
public struct CatalogTableSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var sourceType: String
    public var syncStrategy: String
    public var queryMode: String

    public init(id: String, name: String, description: String, sourceType: String, syncStrategy: String, queryMode: String) {
        self.id = id
        self.name = name
        self.description = description
        self.sourceType = sourceType
        self.syncStrategy = syncStrategy
        self.queryMode = queryMode
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case sourceType = "source_type"
        case syncStrategy = "sync_strategy"
        case queryMode = "query_mode"
    }
}

/// The body of `GET /api/catalog/tables`.
public struct CatalogTableList: Codable, Sendable, Equatable {
    public var tables: [CatalogTableSummary]
    public var count: Int

    public init(tables: [CatalogTableSummary]) {
        self.tables = tables
        count = tables.count
    }
}

/// One table of `GET /api/v2/catalog`: what it is, how big, how fresh, and how to fetch it.
public struct CatalogEntry: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var sourceType: String
    public var queryMode: String
    public var syncStrategy: String
    public var sqlFlavor = "duckdb"
    public var whereExamples: [String] = []
    /// The command that brings the table to the analyst.
    public var fetchVia: String
    /// `small` (≤ 100 MiB), `medium` (≤ 1 GiB), `large` (≤ 10 GiB) or `very_large`; null for remote tables.
    @Nullable public var roughSizeHint: String?
    @Nullable public var rows: Int64?
    @Nullable public var sizeBytes: Int64?
    @Nullable public var partitionBy: String?
    public var clusteredBy: [String] = []
    /// `BASE TABLE`, or `VIEW` for remote tables.
    @Nullable public var entityType: String?
    /// `fresh`, `stale`, `error`, `never_fetched` or `not_applicable`.
    public var metadataFreshness: String
    @Nullable public var updated: Date?

    public init(id: String, name: String, description: String, sourceType: String, queryMode: String, syncStrategy: String, fetchVia: String,
                roughSizeHint: String?, rows: Int64?, sizeBytes: Int64?, partitionBy: String?, entityType: String?, metadataFreshness: String,
                updated: Date?) {
        self.id = id
        self.name = name
        self.description = description
        self.sourceType = sourceType
        self.queryMode = queryMode
        self.syncStrategy = syncStrategy
        self.fetchVia = fetchVia
        self.roughSizeHint = roughSizeHint
        self.rows = rows
        self.sizeBytes = sizeBytes
        self.partitionBy = partitionBy
        self.entityType = entityType
        self.metadataFreshness = metadataFreshness
        self.updated = updated
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, rows, updated
        case sourceType = "source_type"
        case queryMode = "query_mode"
        case syncStrategy = "sync_strategy"
        case sqlFlavor = "sql_flavor"
        case whereExamples = "where_examples"
        case fetchVia = "fetch_via"
        case roughSizeHint = "rough_size_hint"
        case sizeBytes = "size_bytes"
        case partitionBy = "partition_by"
        case clusteredBy = "clustered_by"
        case entityType = "entity_type"
        case metadataFreshness = "metadata_freshness"
    }
}

/// The body of `GET /api/v2/catalog`.
public struct Catalog: Codable, Sendable, Equatable {
    public var tables: [CatalogEntry]
    public var serverTime: Date

    public init(tables: [CatalogEntry], serverTime: Date) {
        self.tables = tables
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey {
        case tables
        case serverTime = "server_time"
    }
}

/// The body of `GET /api/v2/schema/{id}`.
public struct TableSchema: Codable, Sendable, Equatable {
    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        /// The DuckDB type (`BIGINT`, `DECIMAL(18,2)`, `TIMESTAMP WITH TIME ZONE`, …).
        public var type: String
        public var nullable: Bool
        /// The column's note from the profile, or `""`.
        public var description: String

        public init(name: String, type: String, nullable: Bool, description: String) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.description = description
        }
    }

    public var tableId: String
    public var sourceType: String
    public var sqlFlavor = "duckdb"
    public var columns: [Column]
    @Nullable public var partitionBy: String?
    public var clusteredBy: [String] = []
    public var whereDialectHints: [String: String] = [:]

    public init(tableId: String, sourceType: String, columns: [Column], partitionBy: String?) {
        self.tableId = tableId
        self.sourceType = sourceType
        self.columns = columns
        self.partitionBy = partitionBy
    }

    enum CodingKeys: String, CodingKey {
        case columns
        case tableId = "table_id"
        case sourceType = "source_type"
        case sqlFlavor = "sql_flavor"
        case partitionBy = "partition_by"
        case clusteredBy = "clustered_by"
        case whereDialectHints = "where_dialect_hints"
    }
}

/// One row of a sample: column names to values, in the table's column order.
public struct SampleRow: Codable, Sendable, Equatable {
    public var columns: [String]
    public var cells: [ResultCell]

    public init(columns: [String], cells: [ResultCell]) {
        self.columns = columns
        self.cells = cells
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicKey.self)
        columns = container.allKeys.map(\.stringValue)
        cells = try container.allKeys.map { try container.decode(ResultCell.self, forKey: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for (column, cell) in zip(columns, cells) { try container.encode(cell, forKey: DynamicKey(column)) }
    }

    /// The value of `column`, if the row has it.
    public subscript(column: String) -> ResultCell? {
        columns.firstIndex(of: column).map { cells[$0] }
    }
}

/// The body of `GET /api/v2/sample/{id}?n=`.
public struct TableSample: Codable, Sendable, Equatable {
    public var tableId: String
    public var rows: [SampleRow]
    /// The table's source type.
    public var source: String

    public init(tableId: String, rows: [SampleRow], source: String) {
        self.tableId = tableId
        self.rows = rows
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case rows, source
        case tableId = "table_id"
    }
}

/// A coding key made at run time (column names).
public struct DynamicKey: CodingKey, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
