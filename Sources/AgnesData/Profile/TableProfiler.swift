// The profile of a synced table (SPEC §6.5): row count; per column its type, null fraction, distinct estimate,
// min and max, and the most frequent values when there are few distinct ones; and a sample of 5 rows. Computed with
// DuckDB over the table's parquet, stored as JSON in `table_profiles`.
import AgnesAPI
import DuckDB
import Foundation

public enum TableProfiler {
    /// Columns with at most this many distinct values get their top values.
    public static let lowCardinality: Int64 = 20
    public static let sampleSize = 5

    /// Profiles the parquet file(s) at `paths` on `connection`.
    public static func profile(paths: [String], on connection: Connection) throws -> CatalogProfile {
        let source = "read_parquet([\(paths.map(SQL.literal).joined(separator: ", "))])"
        let summary = try connection.query("SUMMARIZE SELECT * FROM \(source)").decode(SummaryRow.self)
        let rows = try connection.query("SELECT count(*) AS n FROM \(source)").decode(Count.self).first?.n ?? 0
        var columns: [CatalogProfile.ColumnProfile] = []
        for column in summary {
            var profile = CatalogProfile.ColumnProfile(
                name: column.column_name, type: column.column_type, nullFraction: (Double(column.null_percentage ?? 0) / 100),
                distinctEstimate: column.approx_unique ?? 0, min: column.min, max: column.max, topValues: nil)
            if let distinct = column.approx_unique, distinct <= lowCardinality, rows > 0 {
                let name = SQL.identifier(column.column_name)
                profile.topValues = try connection.query("""
                    SELECT CAST(\(name) AS VARCHAR) AS value, count(*) AS count FROM \(source) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
                    """).decode(CatalogProfile.TopValue.self)
            }
            columns.append(profile)
        }
        let sample = try connection.query("SELECT CAST(to_json(t) AS VARCHAR) AS row FROM (SELECT * FROM \(source) LIMIT \(sampleSize)) t")
            .decode(SampleRow.self).map(\.row)
        return CatalogProfile(rows: rows, columns: columns, sample: sample)
    }

    private struct SummaryRow: Decodable {
        let column_name: String
        let column_type: String
        let min: String?
        let max: String?
        let approx_unique: Int64?
        let null_percentage: Double?
    }

    private struct Count: Decodable { let n: Int64 }
    private struct SampleRow: Decodable { let row: String }
}
