// Snapshot scans (`POST /api/v2/scan` and `/scan/estimate`, upstream §1.6): a projection, a predicate, an order and a
// limit over one table, and what such a scan would cost.
import Foundation

/// The body of a scan or an estimate.
public struct ScanRequest: Codable, Sendable, Equatable {
    public var tableId: String
    public var select: [String]?
    public var `where`: String?
    public var limit: Int?
    public var orderBy: [String]?
    /// A name for the snapshot (audit only).
    public var `as`: String?
    /// Upstream's `--from-query`: one read-only SELECT whose rows are the snapshot (run as `/api/query` runs it, with
    /// grants and access policies); exclusive with `select`, `where`, `order_by` and `limit`.
    public var fromQuery: String?

    public init(tableId: String, select: [String]? = nil, where: String? = nil, limit: Int? = nil, orderBy: [String]? = nil, as name: String? = nil) {
        self.tableId = tableId
        self.as = name
        self.select = select
        self.where = `where`
        self.limit = limit
        self.orderBy = orderBy
    }

    enum CodingKeys: String, CodingKey {
        case select, `where`, limit, `as`
        case tableId = "table_id"
        case orderBy = "order_by"
        case fromQuery = "from_query"
    }
}

/// What a scan would cost (upstream's fields; `bq_cost_estimate_usd` is 0 for local data).
public struct ScanEstimate: Codable, Sendable, Equatable {
    public var tableId: String
    public var estimatedScanBytes: Int64
    @Nullable public var estimatedResultRows: Int64?
    @Nullable public var estimatedResultBytes: Int64?
    public var bqCostEstimateUsd: Double = 0
    /// The engine that runs the scan (newer upstream clients print it; without it they assume BigQuery).
    public var engine = "duckdb"
    public var rowGroups: Int
    public var rowGroupsMatching: Int

    public init(tableId: String, estimatedScanBytes: Int64, estimatedResultRows: Int64?, estimatedResultBytes: Int64?, rowGroups: Int,
                rowGroupsMatching: Int) {
        self.tableId = tableId
        self.estimatedScanBytes = estimatedScanBytes
        self.estimatedResultRows = estimatedResultRows
        self.estimatedResultBytes = estimatedResultBytes
        self.rowGroups = rowGroups
        self.rowGroupsMatching = rowGroupsMatching
    }

    enum CodingKeys: String, CodingKey {
        case tableId = "table_id"
        case estimatedScanBytes = "estimated_scan_bytes"
        case estimatedResultRows = "estimated_result_rows"
        case estimatedResultBytes = "estimated_result_bytes"
        case bqCostEstimateUsd = "bq_cost_estimate_usd"
        case engine
        case rowGroups = "row_groups"
        case rowGroupsMatching = "row_groups_matching"
    }

}
