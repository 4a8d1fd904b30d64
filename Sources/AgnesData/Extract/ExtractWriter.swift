// Writes a source's extract (SPEC §6.2): each table's rows into `data/<id>.<sha256 prefix>.parquet` (zstd, row groups
// of 122,880), and `extract.duckdb` with the `_meta` table and one view per table. Every file is built under a
// temporary name and renamed into place only when complete; a table's new file takes a name of its own beside the
// old one, which `publish` drops — so a crash or an error mid-write leaves the previous extract as it was.
import AgnesAPI
import AgnesCore
import AgnesState
import DuckDB
import Foundation

/// Builds and publishes one source's extract.
public struct ExtractWriter: Sendable {
    public let layout: ExtractLayout

    /// Rows per parquet row group (DuckDB's default, which keeps row-group statistics useful for scan estimates).
    public static let rowGroupSize = 122_880

    public init(layout: ExtractLayout) { self.layout = layout }

    /// Runs `query` (a SELECT) on `connection` and writes its rows as the table's parquet file, named by its content:
    /// the old file stays until `publish` drops what the table no longer lists.
    public func writeTable(id: String, description: String? = nil, query: String, queryMode: String = QueryMode.local.rawValue,
                           on connection: Connection, now: Date = Date()) throws -> ExtractedTable {
        guard RegisteredTable.isValidId(id) else { throw ExtractError.invalidName("table id '\(id)' is not a valid id") }
        let (rows, temporary, digest) = try writeParquet(tableId: id, select: query, on: connection)
        let name = ExtractLayout.fileName(tableId: id, sha256: digest.sha256)
        let target = layout.dataDirectory.appendingPathComponent(name)
        do {
            try Self.replace(target, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return ExtractedTable(tableId: id, description: description, rows: rows, sizeBytes: digest.size, extractedAt: Self.stamp(now),
                              queryMode: queryMode, files: [ExtractFile(path: "data/\(name)", sizeBytes: digest.size, sha256: digest.sha256, md5: digest.md5)])
    }

    /// Kept to the microsecond, as DuckDB stores it, so a table read back from `_meta` equals the one written.
    static func stamp(_ date: Date) -> Date { DuckDBTimestamp(date).date }

    /// Runs `select` into a new parquet file under a temporary name in the data directory, flushed to disk; returns
    /// the row count, the file and its digest. The caller renames the file into place (or removes it).
    func writeParquet(tableId: String, select: String, on connection: Connection, directory: URL? = nil) throws
        -> (rows: Int64, file: URL, digest: (size: Int64, sha256: String, md5: String)) {
        let directory = directory ?? layout.dataDirectory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Leftovers of a sync of this table that was killed mid-write (syncs of one table never overlap).
        let prefix = ".\(tableId).parquet.tmp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        let temporary = directory.appendingPathComponent(prefix + UUID().uuidString.lowercased())
        do {
            let rows = try connection.query("""
                COPY (\(select)) TO \(SQL.literal(temporary.path)) (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE \(Self.rowGroupSize))
                """).decodeFirst(CopyCount.self)?.count ?? 0
            try DurableFile.synchronize(temporary)
            CrashPoint.syncBeforeRename.reach()
            return (rows, temporary, try FileDigest.of(temporary))
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? DuckDBError { throw ExtractError.failed(table: tableId, message: error.message) }
            throw error
        }
    }

    /// The tables the published extract holds (empty when there is none yet).
    public func tables() throws -> [ExtractedTable] {
        guard FileManager.default.fileExists(atPath: layout.databaseFile.path) else { return [] }
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute("ATTACH \(SQL.literal(layout.databaseFile.path)) AS published (READ_ONLY)")
        return try connection.query("SELECT \(Self.metaColumns) FROM published._meta ORDER BY table_id").decode(ExtractedTable.self)
    }

    /// Publishes `tables` over what the extract held (tables in `removing` are dropped, their files deleted): a new
    /// `extract.duckdb` is written under a temporary name and renamed over the old one.
    public func publish(_ tables: [ExtractedTable], removing: Set<String> = []) throws {
        var merged = Dictionary(uniqueKeysWithValues: try self.tables().map { ($0.tableId, $0) })
        for id in removing { merged[id] = nil }
        for table in tables { merged[table.tableId] = table }

        try FileManager.default.createDirectory(at: layout.directory, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.directory.path)) ?? [] where name.hasPrefix(".extract.duckdb.tmp-") {
            try? FileManager.default.removeItem(at: layout.directory.appendingPathComponent(name))
        }
        let temporary = layout.directory.appendingPathComponent(".extract.duckdb.tmp-\(UUID().uuidString.lowercased())")
        do {
            let database = try Database()
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("ATTACH \(SQL.literal(temporary.path)) AS building")
            try connection.execute("""
                CREATE TABLE building._meta (table_id VARCHAR PRIMARY KEY, description VARCHAR, rows BIGINT, size_bytes BIGINT,
                    extracted_at TIMESTAMPTZ, query_mode VARCHAR, files JSON)
                """)
            let encoder = JSONEncoder()
            for table in merged.values.sorted(by: { $0.tableId < $1.tableId }) {
                let files = String(decoding: try encoder.encode(table.files), as: UTF8.self)
                try connection.execute("INSERT INTO building._meta VALUES ($1, $2, $3, $4, $5, $6, $7::JSON)", table.tableId, table.description,
                                       table.rows, table.sizeBytes, table.extractedAt, table.queryMode, files)
                let paths = table.files.map { SQL.literal(layout.directory.appendingPathComponent($0.path).path) }.joined(separator: ", ")
                let view = table.files.isEmpty
                    ? "SELECT NULL AS no_rows_yet WHERE false"
                    : "SELECT * FROM read_parquet([\(paths)], union_by_name = true)"
                try connection.execute("CREATE VIEW building.\(SQL.identifier(table.tableId)) AS \(view)")
            }
            try connection.execute("CHECKPOINT building")
            try connection.execute("DETACH building")
            try DurableFile.synchronize(temporary)
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: layout.databaseFile.path + ".wal"))
            try Self.replace(layout.databaseFile, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: temporary.path + ".wal"))
            throw error
        }
        for id in removing where merged[id] == nil {
            for file in layout.singleFiles(of: id) { try? FileManager.default.removeItem(at: file) }
            try? FileManager.default.removeItem(at: layout.partsDirectory(tableId: id))
        }
        // Files a table no longer lists: replaced or dropped parts, leftovers of an interrupted sync, and the file (or
        // parts) of the strategy it had before.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.dataDirectory.path)) ?? []
        for table in tables {
            let directory = layout.partsDirectory(tableId: table.tableId)
            guard table.files.contains(where: { $0.part != nil }) else {
                try? FileManager.default.removeItem(at: directory)
                let kept = table.files.first.map { URL(fileURLWithPath: $0.path).lastPathComponent }
                for file in layout.singleFiles(of: table.tableId, keeping: kept, in: names) { try? FileManager.default.removeItem(at: file) }
                continue
            }
            for file in layout.singleFiles(of: table.tableId, in: names) { try? FileManager.default.removeItem(at: file) }
            let kept = Set(table.files.map { layout.directory.appendingPathComponent($0.path).lastPathComponent })
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where !kept.contains(name) {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }
    }

    static let metaColumns = "table_id, description, rows, size_bytes, extracted_at, query_mode, files"

    private struct CopyCount: Decodable {
        let count: Int64
        enum CodingKeys: String, CodingKey { case count = "Count" }
    }



    /// Renames `source` over `target` in one step (POSIX rename), so readers see the old file or the new one.
    static func replace(_ target: URL, with source: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path,
                                                           NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }
}
