// A consistent copy of the state database while the server runs and writes. The copy is one read transaction over
// every table — DuckDB's snapshot: exactly the transactions committed before it began, whatever commits meanwhile —
// inserted into a fresh database that the same migration ladder built (so it carries every constraint and the
// schema version), flushed to disk, then renamed into place. Writers never wait for it; `agnes-server restore` takes
// it like any other backup.
import AgnesAPI
import AgnesCore
import DuckDB
import Foundation

extension StateStore {
    /// Writes the copy to `target`, or to `state/backups/system-online-<timestamp>.duckdb`. Throws `StateError.conflict`
    /// when the target exists; a failure leaves no file under the target's name.
    public func backupOnline(to target: URL? = nil) async throws -> StateBackup {
        let stamp = ISO8601DateFormatter.backupStamp.string(from: Date())
        let destination = target ?? backupDirectory.appendingPathComponent("system-online-\(stamp).duckdb")
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw StateError.conflict("\(destination.path) exists already; choose another file")
        }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: temporary)
        do {
            // The same schema, built by the same ladder (with no backup of its own: the file is new).
            let database = try Database(path: temporary.path, configuration: .init(threads: 1))
            let connection = try database.connect()
            _ = try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
            connection.close()
            database.close()

            let alias = "agnes_backup_\(UInt32.random(in: 0...UInt32.max))"
            let (tables, rows) = try await readEmbedded { connection in
                try connection.execute("ATTACH \(SQL.literal(temporary.path)) AS \(SQL.identifier(alias))")
                defer { _ = try? connection.execute("DETACH \(SQL.identifier(alias))") }
                let source = SQL.identifier(try connection.scalar(String.self, "SELECT current_database()") ?? "memory")
                let tables = try Self.tablesInDependencyOrder(connection)
                // The rows the ladder itself wrote into the copy go first, in a transaction of their own.
                try connection.withTransaction { connection in
                    for table in tables.reversed() { _ = try connection.execute("DELETE FROM \(SQL.identifier(alias)).main.\(SQL.identifier(table))") }
                }
                let rows = try connection.withTransaction { connection in
                    try tables.reduce(0) { count, table in
                        count + (try connection.execute("INSERT INTO \(SQL.identifier(alias)).main.\(SQL.identifier(table)) BY NAME "
                                                        + "SELECT * FROM \(source).main.\(SQL.identifier(table))"))
                    }
                }
                return (tables.count, rows)
            }
            try DurableFile.synchronize(temporary)
            CrashPoint.stateMidCopy.reach()
            try FileManager.default.moveItem(at: temporary, to: destination)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? NSNumber)?.int64Value ?? 0
            return StateBackup(path: destination.path, tables: tables, rows: rows, bytes: bytes)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// The state's tables, each after the tables its foreign keys reference (then by name).
    static func tablesInDependencyOrder(_ connection: Connection) throws -> [String] {
        let tables = try connection.query("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
                                          + "ORDER BY 1").rows().compactMap { $0[0].stringValue }
        var references: [String: Set<String>] = [:]
        for row in try connection.query("""
            SELECT table_name, referenced_table FROM duckdb_constraints()
            WHERE database_name = current_database() AND schema_name = 'main' AND constraint_type = 'FOREIGN KEY'
            """).rows() {
            guard let table = row[0].stringValue, let referenced = row[1].stringValue, table != referenced else { continue }
            references[table, default: []].insert(referenced)
        }
        var ordered: [String] = [], placed: Set<String> = []
        while ordered.count < tables.count {
            guard let next = tables.first(where: { !placed.contains($0) && references[$0, default: []].isSubset(of: placed) }) else {
                throw StateError.invalid("the state's foreign keys form a cycle: \(Set(tables).subtracting(placed).sorted())")
            }
            ordered.append(next)
            placed.insert(next)
        }
        return ordered
    }
}
