// The workspace DuckDB's views over pulled tables: one view per table, named by its id, over its parquet file (or its
// parts). A pull creates and drops only these views; a user's own tables and snapshot views are never touched (a
// pulled table whose id is taken by a user's table is skipped with a warning).
import AgnesCore
import DuckDB
import Foundation

struct LocalViews {
    let workspace: Workspace

    /// Creates or replaces the view of every table in `tables`, drops the views of `removed` tables — in one
    /// transaction: one commit for a hundred views, not a hundred (each waits for the disk), and a pull killed halfway
    /// leaves the views as they were.
    func rebuild(tables: [String: Workspace.PulledTable], removed: [String]) throws {
        try FileManager.default.createDirectory(at: workspace.databaseFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let database = try Database(path: workspace.databaseFile.path)
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        struct Object: Decodable { let table_name: String; let table_type: String }
        let existing = try connection.query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main'").decode(Object.self)
        let userTables = Set(existing.filter { $0.table_type == "BASE TABLE" }.map(\.table_name))
        let views = Set(existing.filter { $0.table_type == "VIEW" }.map(\.table_name))
        try connection.execute("BEGIN TRANSACTION")
        for id in removed where views.contains(id) {
            try connection.execute("DROP VIEW \(SQL.identifier(id))")
        }
        for (id, table) in tables.sorted(by: { $0.key < $1.key }) where !userTables.contains(id) {
            try createView(of: id, table, in: connection)
        }
        try connection.execute("COMMIT")
        try connection.execute("CHECKPOINT")
    }

    /// Creates or replaces the view of one pulled table (none for a table without files).
    func createView(of id: String, _ table: Workspace.PulledTable, in connection: Connection) throws {
        guard let source = source(of: id, table) else { return }
        try createView(id, reading: source, in: connection)
    }

    func createView(_ id: String, reading source: String, in connection: Connection) throws {
        try connection.execute("CREATE OR REPLACE VIEW \(SQL.identifier(id)) AS SELECT * FROM \(source)")
        CrashPoint.pullMidViews.reach()
    }

    /// What a table's view reads: its one file, or the union of its parts; nil for a table without files.
    func source(of id: String, _ table: Workspace.PulledTable) -> String? {
        if table.files.keys.contains("") {
            return fileSource(of: id)
        } else if table.files.isEmpty {
            return nil
        } else {
            return "read_parquet(\(SQL.literal(workspace.partsDirectory(of: id).path + "/*.parquet")), union_by_name = true)"
        }
    }

    /// What the view of a table in one file reads.
    func fileSource(of id: String) -> String { "read_parquet(\(SQL.literal(workspace.file(of: id).path)))" }
}
