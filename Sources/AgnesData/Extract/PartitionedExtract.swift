// The `partitioned` strategy (SPEC §6.3): one parquet part per month of `partition_by` (or per day or year, by
// `partition_granularity`), in `data/<table_id>/`. A sync
// writes the months it read into a staging folder in one pass, then keeps every part whose rows did not change (same
// count and order-independent row hash), so clients download only the months that did. With an `incremental_column`
// only rows past the newest extracted value are read, and merged into their months by `primary_key`.
//
// Part files are named by month and content (`2026-03-<sha256 prefix>.parquet`), so a new part never overwrites the
// old one: until `publish` swaps `extract.duckdb`, the previous parts are what is served, and `publish` then deletes the
// parts nothing lists any more.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

extension ExtractWriter {
    /// The part name of rows without a `partition_by` value.
    public static let unpartitionedPart = "none"

    /// Syncs a partitioned table: writes the changed periods (months, or days or years by `granularity`) of `query`'s
    /// rows as new parts and keeps the others.
    public func writePartitioned(id: String, description: String? = nil, query: String, partitionBy: String, incrementalColumn: String? = nil,
                                 primaryKey: [String] = [], granularity: PartitionGranularity = .month, queryMode: String = QueryMode.local.rawValue,
                                 on connection: Connection, now: Date = Date()) throws -> ExtractedTable {
        guard RegisteredTable.isValidId(id) else { throw ExtractError.invalidName("table id '\(id)' is not a valid id") }
        let partsDirectory = layout.partsDirectory(tableId: id)
        let previous = try tables().first(where: { $0.tableId == id })
        var parts: [String: ExtractFile] = [:]
        for file in previous?.files ?? [] {
            if let part = file.part { parts[part] = file }
        }
        let path = { (file: ExtractFile) in layout.directory.appendingPathComponent(file.path).path }

        // What to read: everything, or (incremental, with parts already there) the rows past the newest value.
        let plan = incrementalColumn.map { IncrementalPlan(column: $0, primaryKey: primaryKey) }
        let watermark = try plan.flatMap { plan in parts.isEmpty ? nil : try plan.watermark(in: parts.values.map(path), on: connection) }
        let incremental = plan != nil && watermark != nil
        let rows = plan.map { $0.delta(of: query, after: watermark) } ?? query

        let staging = partsDirectory.appendingPathComponent(".staging-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: partsDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let format = switch granularity {
        case .day: "%Y-%m-%d"
        case .month: "%Y-%m"
        case .year: "%Y"
        }
        let month = "coalesce(strftime(date_trunc('\(granularity.rawValue)', \(SQL.identifier(partitionBy))), '\(format)'), "
            + "\(SQL.literal(Self.unpartitionedPart)))"
        do {
            try connection.execute("""
                COPY (SELECT *, \(month) AS agnes_part FROM (\(rows)) AS agnes_rows)
                TO \(SQL.literal(staging.path)) (FORMAT parquet, PARTITION_BY (agnes_part), COMPRESSION zstd, ROW_GROUP_SIZE \(Self.rowGroupSize))
                """)
        } catch let error as DuckDBError {
            throw ExtractError.failed(table: id, message: "partitioning by '\(partitionBy)' (a date or timestamp column): \(error.message)")
        }

        var written: [String: ExtractFile] = [:]
        for folder in try FileManager.default.contentsOfDirectory(atPath: staging.path) where folder.hasPrefix("agnes_part=") {
            let part = String(folder.dropFirst("agnes_part=".count))
            guard part == Self.unpartitionedPart || Self.isPartName(part, granularity) else { continue }
            // hive_partitioning off: the folder name must not come back as a column.
            let staged = "read_parquet(\(SQL.literal(staging.appendingPathComponent(folder).path + "/*.parquet")), hive_partitioning = false)"
            let old = parts[part]
            let select: String
            if incremental, let plan, let old {
                select = plan.merge(existing: "SELECT * FROM read_parquet(\(SQL.literal(path(old))))", delta: "SELECT * FROM \(staged)")
            } else {
                if let old, try Self.sameRows(staged, "read_parquet(\(SQL.literal(path(old))))", on: connection) { continue }
                select = "SELECT * FROM \(staged)"
            }
            let (_, temporary, digest) = try writeParquet(tableId: id, select: select, on: connection, directory: partsDirectory)
            let name = "\(part)-\(digest.sha256.prefix(16)).parquet"
            do {
                try Self.replace(partsDirectory.appendingPathComponent(name), with: temporary)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
            written[part] = ExtractFile(path: "data/\(id)/\(name)", sizeBytes: digest.size, sha256: digest.sha256, md5: digest.md5, part: part)
        }

        // A full read defines the whole table: months it no longer has are dropped. An incremental one only adds.
        if !incremental { parts = parts.filter { written[$0.key] != nil || stagedMonthsUnchanged(staging: staging, part: $0.key) } }
        parts.merge(written) { _, new in new }
        let files = parts.values.sorted { ($0.part ?? "") < ($1.part ?? "") }
        let total = files.isEmpty ? 0 : try connection.scalar(Int64.self, """
            SELECT count(*) FROM read_parquet([\(files.map { SQL.literal(path($0)) }.joined(separator: ", "))], union_by_name = true)
            """) ?? 0
        return ExtractedTable(tableId: id, description: description, rows: total, sizeBytes: files.reduce(0) { $0 + $1.sizeBytes },
                              extractedAt: Self.stamp(now), queryMode: queryMode, files: files)
    }

    /// Whether `part` names a period of `granularity` (`2026`, `2026-03`, `2026-03-14`).
    static func isPartName(_ part: String, _ granularity: PartitionGranularity) -> Bool {
        switch granularity {
        case .year: part.wholeMatch(of: /\d{4}/) != nil
        case .month: part.wholeMatch(of: /\d{4}-\d{2}/) != nil
        case .day: part.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil
        }
    }

    /// Whether the staging folder holds `part` (a month read again and found unchanged).
    private func stagedMonthsUnchanged(staging: URL, part: String) -> Bool {
        FileManager.default.fileExists(atPath: staging.appendingPathComponent("agnes_part=\(part)").path)
    }

    /// Whether two relations hold the same rows in any order: same count and same sum of row hashes.
    static func sameRows(_ first: String, _ second: String, on connection: Connection) throws -> Bool {
        struct Fingerprint: Decodable, Equatable { let rows: Int64; let digest: String? }
        func fingerprint(_ relation: String) throws -> Fingerprint? {
            try connection.query("SELECT count(*) AS rows, sum(hash(agnes_row))::VARCHAR AS digest FROM \(relation) AS agnes_row")
                .decodeFirst(Fingerprint.self)
        }
        do {
            return try fingerprint(first) == fingerprint(second)
        } catch is DuckDBError {
            return false  // different columns or types: changed
        }
    }
}
