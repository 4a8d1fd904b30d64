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
            let source: String
            if table.files.keys.contains("") {
                source = "read_parquet(\(SQL.literal(workspace.file(of: id).path)))"
            } else if table.files.isEmpty {
                continue
            } else {
                source = "read_parquet(\(SQL.literal(workspace.partsDirectory(of: id).path + "/*.parquet")), union_by_name = true)"
            }
            try connection.execute("CREATE OR REPLACE VIEW \(SQL.identifier(id)) AS SELECT * FROM \(source)")
            CrashPoint.pullMidViews.reach()
        }
        try connection.execute("COMMIT")
        try connection.execute("CHECKPOINT")
    }

}
