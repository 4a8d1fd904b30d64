// `agnes query` on the workspace: the local DuckDB opened read-only, at most `limit` rows.
import DuckDB
import Foundation

public struct LocalQuery {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Runs `sql`; returns the column names, the rows and whether more rows existed.
    public func run(_ sql: String, limit: Int) throws -> (columns: [String], rows: [[DuckDBValue]], truncated: Bool) {
        guard FileManager.default.fileExists(atPath: workspace.databaseFile.path) else {
            throw ClientError(.failure, "no workspace database at \(workspace.databaseFile.path): run `agnes pull` first")
        }
        let database = try Database(path: workspace.databaseFile.path, configuration: .init(accessMode: .readOnly))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        do {
            // A SELECT is read only as far as the limit; other statements run as written.
            var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while body.hasSuffix(";") { body.removeLast() }
            let lowered = body.lowercased()
            let isSelect = ["select", "with", "from", "values", "table", "("].contains { lowered.hasPrefix($0) }
            let result = try connection.query(isSelect ? "SELECT * FROM (\n\(body)\n) AS agnes_query LIMIT \(limit + 1)" : body)
            var rows: [[DuckDBValue]] = []
            for row in try result.rows() {
                if rows.count == limit { return (result.columns.map(\.name), rows, true) }
                rows.append(row.values)
            }
            return (result.columns.map(\.name), rows, false)
        } catch let error as DuckDBError {
            var message = error.message
            if message.contains("does not exist") && message.contains("Table") {
                message += "\nhint: `agnes catalog` lists the tables you can query; remote tables need `agnes query --remote` or a snapshot"
            }
            throw ClientError(.failure, message)
        }
    }
}
