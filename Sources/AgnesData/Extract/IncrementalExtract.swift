// The `incremental` strategy (SPEC §6.3): only rows whose `incremental_column` is at or past the newest value already
// extracted are read from the source, then merged into the table's parquet by `primary_key` (a re-sent row replaces
// the old one); without a primary key they are appended. The first sync, or one without a previous extract, reads
// everything. The merged file replaces the old one only when complete.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

/// How the rows of one incremental read are selected and merged.
struct IncrementalPlan: Sendable {
    let column: String
    let primaryKey: [String]

    /// The newest `column` value in `paths` as text, with its DuckDB type; nil when the files hold no rows (or none with
    /// a value), so the next read takes everything.
    func watermark(in paths: [String], on connection: Connection) throws -> (value: String, type: String)? {
        let files = "[" + paths.map(SQL.literal).joined(separator: ", ") + "]"
        struct Row: Decodable { let value: String?; let type: String }
        let row = try connection.query("""
            SELECT max(\(SQL.identifier(column)))::VARCHAR AS value, typeof(max(\(SQL.identifier(column)))) AS type
            FROM read_parquet(\(files), union_by_name = true)
            """).decodeFirst(Row.self)
        guard let row, let value = row.value else { return nil }
        return (value, row.type)
    }

    /// The source rows past `watermark` (all of them without one), one row per primary key (the newest).
    func delta(of query: String, after watermark: (value: String, type: String)?) -> String {
        var select = "SELECT * FROM (\(query)) AS agnes_source"
        if let watermark {
            // With a primary key the boundary value is read again (rows written in the same instant after the last
            // sync are not missed; the merge replaces the copies). Without one, only strictly newer rows are appended.
            let comparison = primaryKey.isEmpty ? ">" : ">="
            select += " WHERE \(SQL.identifier(column)) \(comparison) CAST(\(SQL.literal(watermark.value)) AS \(watermark.type))"
        }
        if !primaryKey.isEmpty {
            let keys = primaryKey.map(SQL.identifier).joined(separator: ", ")
            select += " QUALIFY row_number() OVER (PARTITION BY \(keys) ORDER BY \(SQL.identifier(column)) DESC NULLS LAST) = 1"
        }
        return select
    }

    /// The rows of `existing` (a SELECT) not replaced by `delta` (another), followed by `delta`'s rows.
    func merge(existing: String, delta: String) -> String {
        guard !primaryKey.isEmpty else { return "\(existing) UNION ALL BY NAME \(delta)" }
        let matches = primaryKey.map { "agnes_old.\(SQL.identifier($0)) = agnes_new.\(SQL.identifier($0))" }.joined(separator: " AND ")
        return """
            SELECT agnes_old.* FROM (\(existing)) AS agnes_old ANTI JOIN (\(delta)) AS agnes_new ON \(matches)
            UNION ALL BY NAME \(delta)
            """
    }
}

extension ExtractWriter {
    /// Syncs a table incrementally: reads the rows past the newest `incrementalColumn` value of the current extract and
    /// merges them into it by `primaryKey`. Falls back to a full read when there is no previous extract. Not
    /// `watermarked`, the query already holds only changed rows (the source filtered them): all are merged.
    public func writeIncremental(id: String, description: String? = nil, query: String, incrementalColumn: String, primaryKey: [String],
                                 watermarked: Bool = true, queryMode: String = QueryMode.local.rawValue, on connection: Connection,
                                 now: Date = Date()) throws -> ExtractedTable {
        let plan = IncrementalPlan(column: incrementalColumn, primaryKey: primaryKey)
        // The table's current file, as the published extract lists it (or as it was named before content addresses).
        let published = try tables().first { $0.tableId == id }?.files.first { $0.part == nil }
        let target = published.map { layout.directory.appendingPathComponent($0.path) } ?? layout.parquetFile(tableId: id)
        let exists = FileManager.default.fileExists(atPath: target.path)
        let watermark = exists && watermarked ? try plan.watermark(in: [target.path], on: connection) : nil
        guard exists, watermark != nil || !watermarked else {
            return try writeTable(id: id, description: description, query: plan.delta(of: query, after: nil), queryMode: queryMode,
                                  on: connection, now: now)
        }
        try connection.execute("CREATE OR REPLACE TEMP TABLE agnes_delta AS \(plan.delta(of: query, after: watermark))")
        defer { _ = try? connection.execute("DROP TABLE IF EXISTS agnes_delta") }
        // Nothing new (or only the boundary rows read again, unchanged): the file is left as it is.
        let unchanged = (try? connection.scalar(Int64.self, """
            SELECT count(*) FROM (SELECT * FROM agnes_delta EXCEPT ALL SELECT * FROM read_parquet(\(SQL.literal(target.path))))
            """)) == 0
        if unchanged, var previous = try tables().first(where: { $0.tableId == id }) {
            previous.extractedAt = Self.stamp(now)
            return previous
        }
        let merged = plan.merge(existing: "SELECT * FROM read_parquet(\(SQL.literal(target.path)))", delta: "SELECT * FROM agnes_delta")
        return try writeTable(id: id, description: description, query: merged, queryMode: queryMode, on: connection, now: now)
    }
}
