// Maintenance of a PostgreSQL state with the embedded database's own tools: the state is copied into a scratch DuckDB
// database, the task (JSON export, JSON import, legacy import) runs there unchanged, and — when the task writes — every
// table is copied back in one transaction. One implementation of each task, whichever backend holds the state.
import AgnesCore
import DuckDB
import Foundation

enum PostgresStateMirror {
    /// Runs `task` on a scratch embedded copy of the PostgreSQL state at `server`, made in this process's scratch
    /// folder (`ScratchSpace`) and removed afterwards (a killed run's copy goes with its folder, at the next start). The PostgreSQL state is migrated first (under the migration
    /// lock), and copied in one snapshot. With `writeBack`, every state table on PostgreSQL is then replaced by the
    /// copy's rows in one transaction, which tells every running server to drop its caches; a failure anywhere leaves
    /// PostgreSQL as it was. Without it PostgreSQL is only read.
    static func run<T>(_ server: StateLocation.PostgreSQL, dataDirectory: URL, backupDirectory: URL, writeBack: Bool,
                       _ task: (StateMaintenance) throws -> T) throws -> T {
        ScratchSpace.removeAbandoned(in: dataDirectory, alone: false)
        let scratch = ScratchSpace.directory(in: dataDirectory).appendingPathComponent("\(scratchPrefix)\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let mirror = StateMaintenance(dataDirectory: scratch, location: .embedded, backupDirectory: backupDirectory)
        let postgres = try PostgresStatePool.open(server, id: 0)
        defer { postgres.close() }
        try StateStore.prepare(postgreSQL: postgres)
        _ = try mirror.migrate()
        try mirror.withConnection { embedded in
            try embedded.execute("SET TimeZone = 'UTC'")
            let tables = try StateMaintenance.tables(embedded)
            try postgres.transaction {
                try embedded.withTransaction { embedded in
                    for table in tables { try copyTable(table, from: postgres, to: embedded) }
                }
            }
        }
        let result = try task(mirror)
        guard writeBack else { return result }
        try mirror.withConnection { embedded in
            try embedded.execute("SET TimeZone = 'UTC'")
            let tables = try StateMaintenance.tables(embedded)
            try postgres.transaction {
                for table in tables { try copyTable(table, from: embedded, to: postgres) }
                CrashPoint.postgresMirrorBeforeCommit.reach()
                try postgres.execute("NOTIFY \(StateWriteListener.channel)")
            }
        }
        return result
    }

    /// Scratch copies are `tmp/<host>-<pid>/state-copy-<random>`.
    static let scratchPrefix = "state-copy-"

    /// The migration status of the PostgreSQL state (every step pending on an empty database). Reads only.
    static func migrationStatus(_ server: StateLocation.PostgreSQL) throws -> [MigrationStatus] {
        let postgres = try PostgresStatePool.open(server, id: 0)
        defer { postgres.close() }
        let ledger = try postgres.scalar(Int64.self, """
            SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'
            """) ?? 0
        guard ledger > 0 else {
            return StateSchema.migrator.migrations.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: nil) }
        }
        return try StateSchema.migrator.status(postgres)
    }

    /// Applies pending migrations to the PostgreSQL state, as a starting server does (under the migration lock).
    static func migrate(_ server: StateLocation.PostgreSQL) throws -> MigrationReport {
        let postgres = try PostgresStatePool.open(server, id: 0)
        defer { postgres.close() }
        return try StateStore.prepare(postgreSQL: postgres).report
    }

    /// Replaces the rows of `table` in `target` by those of `source`, column by column as the embedded schema
    /// names them, checking the count written.
    private static func copyTable(_ table: String, from source: any StateConnection, to target: any StateConnection) throws {
        let columns = try columnNames(of: table, on: source.dialect == .duckDB ? source : target)
        let list = columns.map(SQL.identifier).joined(separator: ", ")
        let rows = try source.rows("SELECT \(list) FROM \(SQL.identifier(table))")
        try target.execute("DELETE FROM \(SQL.identifier(table))")
        var written = 0
        if let embedded = target as? Connection {
            let insert = try embedded.prepare("INSERT INTO \(SQL.identifier(table)) (\(list)) VALUES (\(columns.indices.map { "$\($0 + 1)" }.joined(separator: ", ")))")
            for row in rows {
                try insert.bind(row.map { $0 as (any DuckDBValueConvertible)? })
                written += try insert.execute()
            }
        } else {
            // Several rows per statement, well inside PostgreSQL's 65,535 parameters.
            let perStatement = max(1, min(500, 30_000 / columns.count))
            var start = 0
            while start < rows.count {
                let batch = rows[start..<min(rows.count, start + perStatement)]
                let values = batch.indices.map { index in
                    "(" + columns.indices.map { "$\((index - start) * columns.count + $0 + 1)" }.joined(separator: ", ") + ")"
                }
                written += try target.execute("INSERT INTO \(SQL.identifier(table)) (\(list)) VALUES \(values.joined(separator: ", "))",
                                              parameters: batch.flatMap { $0.map { $0 as (any DuckDBValueConvertible)? } })
                start += batch.count
            }
        }
        guard written == rows.count else {
            throw StateError.invalid("\(table): read \(rows.count) rows but wrote \(written)")
        }
    }

    /// The columns of a state table in the embedded database, in their order.
    private static func columnNames(of table: String, on embedded: any StateConnection) throws -> [String] {
        let names = try embedded.rows("""
            SELECT column_name FROM duckdb_columns() WHERE table_name = $1 AND schema_name = 'main' ORDER BY column_index
            """, table).compactMap { $0[0].stringValue }
        guard !names.isEmpty else { throw StateError.invalid("the state table \(table) has no columns") }
        return names
    }
}
