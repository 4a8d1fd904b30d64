// Runs and estimates snapshot scans over a table's parquet files. The estimate reads only parquet metadata: row groups
// whose min/max statistics rule out the predicate's simple bounds are skipped, and the others give the bytes to scan
// (compressed sizes of the columns read), the rows that may match (capped by the limit) and the result's size.
// The scan itself runs in a DuckDB of its own that may read only the table's files and write only the output folder.
import AgnesAPI
import DuckDB
import Foundation

public enum ScanRunner {
    /// The columns of the parquet `files`, in order.
    public static func schema(of files: [String], on connection: Connection) throws -> [ScanColumn] {
        try schema(of: .files(files), on: connection)
    }

    /// The columns of `source` as its caller sees them (a policy's columns for a policied source), in order.
    public static func schema(of source: ScanSource, on connection: Connection) throws -> [ScanColumn] {
        struct Row: Decodable { let column_name: String; let column_type: String }
        return try connection.query("DESCRIBE SELECT * FROM \(source.relation) AS agnes_scan").decode(Row.self)
            .map { ScanColumn(name: $0.column_name, type: $0.column_type) }
    }

    /// Estimates `plan` over `files` from their row-group statistics.
    public static func estimate(_ plan: ScanPlan, tableId: String, files: [String], schema: [ScanColumn], on connection: Connection) throws -> ScanEstimate {
        let types = Dictionary(schema.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        func cast(_ value: String, _ column: String) -> String { "TRY_CAST(\(value) AS \(types[column] ?? "VARCHAR"))" }
        var conditions: [String: [String]] = [:]
        for bound in plan.bounds where types[bound.column] != nil {
            let low = cast("stats_min_value", bound.column), high = cast("stats_max_value", bound.column), value = cast(bound.literal, bound.column)
            let condition = switch bound.op {
            case .equal: "(\(low) <= \(value) AND \(high) >= \(value))"
            case .less: "\(low) < \(value)"
            case .lessOrEqual: "\(low) <= \(value)"
            case .greater: "\(high) > \(value)"
            case .greaterOrEqual: "\(high) >= \(value)"
            }
            conditions[bound.column, default: []].append(condition)
        }
        let whens = conditions.sorted { $0.key < $1.key }
            .map { "WHEN path_in_schema = \(SQL.literal($0.key)) THEN coalesce(\($0.value.joined(separator: " AND ")), true)" }.joined(separator: " ")
        let read = Set(plan.columns).union(plan.predicateColumns).map(SQL.literal).joined(separator: ", ")
        let selected = plan.columns.map(SQL.literal).joined(separator: ", ")
        struct Group: Decodable { let rows: Int64; let scan_bytes: Int64; let result_bytes: Int64; let may_match: Bool }
        let groups = try connection.query("""
            SELECT any_value(row_group_num_rows) AS rows,
                   coalesce(sum(total_compressed_size) FILTER (WHERE path_in_schema IN (\(read))), 0)::BIGINT AS scan_bytes,
                   coalesce(sum(total_uncompressed_size) FILTER (WHERE path_in_schema IN (\(selected))), 0)::BIGINT AS result_bytes,
                   bool_and(\(whens.isEmpty ? "true" : "CASE \(whens) ELSE true END")) AS may_match
            FROM parquet_metadata([\(files.map(SQL.literal).joined(separator: ", "))])
            GROUP BY file_name, row_group_id
            """).decode(Group.self)
        let matching = groups.filter(\.may_match)
        let rows = matching.reduce(0) { $0 + $1.rows }
        let resultBytes = matching.reduce(0) { $0 + $1.result_bytes }
        let estimatedRows = plan.limit.map { min(Int64($0), rows) } ?? rows
        return ScanEstimate(tableId: tableId, estimatedScanBytes: matching.reduce(0) { $0 + $1.scan_bytes }, estimatedResultRows: estimatedRows,
                            estimatedResultBytes: rows == 0 ? 0 : Int64(Double(resultBytes) * Double(estimatedRows) / Double(rows)),
                            rowGroups: groups.count, rowGroupsMatching: matching.count)
    }

    /// Runs `plan` over `files` into a zstd parquet file at `output`; returns the row count. The DuckDB it runs in may
    /// read only `files` and write only `output`'s folder; `deadline` bounds it in time and lets the caller cancel it.
    public static func write(_ plan: ScanPlan, files: [String], to output: URL, deadline: QueryDeadline) throws -> Int64 {
        try write(plan, source: .files(files), to: output, deadline: deadline)
    }

    /// Runs `plan` over `source` (binding its caller's policy values) into a file at `output` in `format`.
    public static func write(_ plan: ScanPlan, source: ScanSource, to output: URL, format: ScanFormat = .parquet,
                             deadline: QueryDeadline) throws -> Int64 {
        // A limit without an order means the first rows of the files, so that scan keeps their order.
        try copy(plan.sql(from: source.relation), source: source, to: output, format: format, deadline: deadline,
                 keepFileOrder: plan.limit != nil && plan.orderBy.isEmpty)
    }

    /// The rows of each row group the parquet output is written in: a sixth of DuckDB's default (122,880), so each
    /// writing thread holds a sixth as many rows in memory before it compresses them. Copying the benchmark's 10M-row
    /// table, the server peaks 35–40 MiB lower than with 61,440 rows, in as much time and into a file as large, and the
    /// snapshot reads back whole as fast, within 3 % (docs/performance.md, "sixth round").
    static let outputRowGroupSize = 20_480

    /// Writes the rows of `select` (over `source`) as a zstd parquet file at `output`; returns the row count. The DuckDB
    /// it runs in may read only the source's files and write only `output`'s folder; the caller's policy values are
    /// bound on its connection.
    ///
    /// Rows come out in the files' order only when `keepFileOrder` is set (or `select` orders them): for that, DuckDB
    /// holds back what each thread has read until the rows before it are written, which for a 10M-row table took 470 MiB
    /// instead of 115 (and longer).
    public static func copy(_ select: String, source: ScanSource, to output: URL, format: ScanFormat = .parquet, deadline: QueryDeadline,
                            threads: Int = 2, keepFileOrder: Bool = false) throws -> Int64 {
        let files = source.files
        // An Arrow stream is read chunk by chunk in order: one thread keeps the rows in flight (and the memory) small.
        let database = try Database(configuration: .init(threads: format == .arrow ? 1 : threads, memoryLimit: "1GB"))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try source.prepare(connection)
        // A scan reads each byte once: DuckDB's cache of file blocks (on by default) would only hold the table in memory.
        try connection.execute("SET enable_external_file_cache = false")
        try connection.execute("SET preserve_insertion_order = \(keepFileOrder)")
        try connection.execute("SET allowed_paths = [\(files.map(SQL.literal).joined(separator: ", "))]")
        try connection.execute("SET allowed_directories = [\(SQL.literal(output.deletingLastPathComponent().path + "/"))]")
        try connection.execute("SET enable_external_access = false")
        try connection.execute("SET lock_configuration = true")
        if let caller = source.caller { try PolicyBinding.bind(caller, on: connection) }
        struct Count: Decodable { let Count: Int64 }
        return try deadline.run(on: connection) {
            switch format {
            case .parquet:
                return try connection.query("""
                    COPY (\(select)) TO \(SQL.literal(output.path))
                        (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE \(Self.outputRowGroupSize))
                    """).decodeFirst(Count.self)?.Count ?? 0
            case .arrow:
                // Written by this process (not by DuckDB), one chunk at a time, through a buffer.
                let file = try BufferedFileWriter(path: output.path)
                let rows = try connection.query(select).writeArrowIPC { try file.write($0) }
                try file.close()
                return rows
            }
        }
    }
}
