// Table data on DuckLake (`data.lake: on`, with the state on PostgreSQL): workers write each synced table as a lake
// table — its catalog in the state's PostgreSQL database (schema `agnes_lake`), its parquet files under the shared
// `DATA_DIR/lake/` — and every process's query engine attaches the lake read-only and reads each table at the snapshot
// its last good sync recorded in `sync_state.lake_version`. A new version becomes visible when the sync that wrote it
// is recorded, in one step for every replica; a sync that fails after writing leaves the previous version served.
// Engines read a version through its data files (`files(of:at:)`), so a grant scope still holds only its own
// tables' files. Rows are never inlined into the catalog, and tables are only ever replaced whole, so a version is
// exactly its data files. The extract files stay what `agnes pull` downloads.
import AgnesState
import DuckDB
import Foundation

public struct DataLake: Sendable, Equatable {
    /// The PostgreSQL database holding the lake's catalog (the state's own).
    public let catalog: StateLocation.PostgreSQL
    /// Where the lake's data files are written: `DATA_DIR/lake/`, shared by every process.
    public let dataPath: URL

    /// The name the lake is attached under in a DuckDB database.
    public static let alias = "lake"
    /// The PostgreSQL schema of the lake's catalog tables.
    public static let metadataSchema = "agnes_lake"
    /// How long a snapshot no sync state names is kept before it is expired (an engine built just before a newer
    /// version was recorded still reads it meanwhile).
    public static let expiryGrace: Duration = .seconds(600)

    public init(catalog: StateLocation.PostgreSQL, dataDirectory: URL) {
        self.catalog = catalog
        self.dataPath = dataDirectory.appendingPathComponent("lake", isDirectory: true).standardizedFileURL
    }

    /// A DuckDB database of its own with the lake attached (loading the two extensions and attaching costs about
    /// 0.2 s, so a caller keeps it: every connection to it sees the lake, and a new transaction its newest snapshot).
    public func open(readOnly: Bool) throws -> Database {
        let database = try Database()
        do {
            let connection = try database.connect()
            defer { connection.close() }
            try attach(connection, readOnly: readOnly)
            return database
        } catch {
            database.close()
            throw error
        }
    }

    /// Attaches the lake to `connection` as `lake` (read-only for query engines). DuckDB's message on failure is
    /// passed on without the catalog's password.
    public func attach(_ connection: Connection, readOnly: Bool) throws {
        try FileManager.default.createDirectory(at: dataPath, withIntermediateDirectories: true)
        let target = "ducklake:postgres:" + catalog.libpqConnectionString
        let options = ["DATA_PATH \(SQL.literal(dataPath.path + "/"))", "METADATA_SCHEMA \(SQL.literal(Self.metadataSchema))",
                       "DATA_INLINING_ROW_LIMIT 0"] + (readOnly ? ["READ_ONLY"] : [])
        do {
            try connection.execute("LOAD postgres_scanner")
            try connection.execute("LOAD ducklake")
            try connection.execute("ATTACH \(SQL.literal(target)) AS \(Self.alias) (\(options.joined(separator: ", ")))")
        } catch let error as DuckDBError {
            throw DuckDBError(kind: error.kind, message: "could not attach the data lake (\(catalog), \(dataPath.path)): " + redacted(error.message))
        }
    }

    /// Writes each table as the rows of its extract `files`, replacing what the lake held, in one transaction (one
    /// commit: about 0.1 s however many tables, against 40 ms for each commit of its own), and returns the snapshot
    /// that holds them. The lake must be attached read-write.
    public func write(_ tables: [(id: String, files: [String])], on connection: Connection) throws -> Int64 {
        precondition(tables.allSatisfy { !$0.files.isEmpty }, "a lake table is written from at least one file")
        do {
            try connection.withTransaction { connection in
                for (id, files) in tables {
                    let list = "[" + files.map(SQL.literal).joined(separator: ", ") + "]"
                    try connection.execute("""
                        CREATE OR REPLACE TABLE \(Self.alias).main.\(SQL.identifier(id)) AS SELECT * FROM read_parquet(\(list), union_by_name = true)
                        """)
                }
            }
            // The newest snapshot holds this commit's versions of the tables (another commit after it, of other
            // tables, changes nothing of these).
            guard let version = try connection.scalar(Int64.self, "SELECT id FROM \(Self.alias).current_snapshot()") else {
                throw DuckDBError(kind: .invalidInput, message: "the lake reports no snapshot after writing")
            }
            return version
        } catch let error as DuckDBError {
            let names = tables.prefix(5).map(\.id).joined(separator: ", ") + (tables.count > 5 ? " and \(tables.count - 5) more" : "")
            throw DuckDBError(kind: error.kind, message: "could not write \(names) to the data lake: " + redacted(error.message))
        }
    }

    /// The data files of table `id` at `version` (absolute paths). Throws when the version is unknown, or holds
    /// deleted rows (which a table replaced whole never does).
    public func files(of id: String, at version: Int64, on connection: Connection) throws -> [String] {
        struct File: Decodable { let data_file: String; let delete_file: String? }
        let files: [File]
        do {
            files = try connection.query("""
                SELECT data_file, delete_file FROM ducklake_list_files(\(SQL.literal(Self.alias)), $1, schema => 'main', snapshot_version => $2)
                """, id, version).decode(File.self)
        } catch let error as DuckDBError {
            throw DuckDBError(kind: error.kind, message: "could not list the lake files of \(id) at version \(version): " + redacted(error.message))
        }
        guard files.allSatisfy({ $0.delete_file == nil }) else {
            throw DuckDBError(kind: .invalidInput, message: "the lake version \(version) of \(id) has deleted rows, which Agnes never writes")
        }
        return files.map { URL(fileURLWithPath: $0.data_file, relativeTo: dataPath).standardizedFileURL.path }
    }

    /// Expires the snapshots no sync state names (`pinned`), except the newest and those younger than `grace`, and
    /// deletes the files only they held. Returns how many snapshots were expired.
    @discardableResult
    public func expireSnapshots(keeping pinned: Set<Int64>, grace: Duration = expiryGrace, on connection: Connection) throws -> Int {
        let candidates = try connection.query("""
            SELECT snapshot_id FROM \(Self.alias).snapshots()
            WHERE snapshot_time < now() - to_seconds($1::BIGINT) AND snapshot_id < (SELECT max(snapshot_id) FROM \(Self.alias).snapshots())
            ORDER BY snapshot_id
            """, grace.components.seconds).rows().compactMap { $0[0].integerValue.map { Int64($0) } }
        let expired = candidates.filter { !pinned.contains($0) }
        guard !expired.isEmpty else { return 0 }
        do {
            try connection.execute("CALL ducklake_expire_snapshots(\(SQL.literal(Self.alias)), versions => [\(expired.map(String.init).joined(separator: ", "))])")
            try connection.execute("CALL ducklake_cleanup_old_files(\(SQL.literal(Self.alias)), cleanup_all => true)")
        } catch let error as DuckDBError {
            throw DuckDBError(kind: error.kind, message: "could not expire old lake snapshots: " + redacted(error.message))
        }
        return expired.count
    }

    /// `message` with the catalog's password taken out.
    private func redacted(_ message: String) -> String {
        guard let password = catalog.password, !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }
}

extension StateLocation {
    /// The lake whose catalog sits in this PostgreSQL state, with its files under `dataDirectory/lake/`; nil for an
    /// embedded state.
    public func dataLake(dataDirectory: URL) -> DataLake? {
        if case let .postgreSQL(server) = self { DataLake(catalog: server, dataDirectory: dataDirectory) } else { nil }
    }
}
