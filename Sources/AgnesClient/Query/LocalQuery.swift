// `agnes query` on the workspace: the local DuckDB opened read-only, at most `limit` rows.
import DuckDB
import Foundation

public struct LocalQuery {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Runs `sql`; returns the column names, the rows and whether more rows existed.
    public func run(_ sql: String, limit: Int) throws -> (columns: [String], rows: [[DuckDBValue]], truncated: Bool) {
        try withConnection { connection in
            // A SELECT is read only as far as the limit; other statements run as written.
            let body = Self.statement(sql)
            let result = try connection.query(Self.isSelect(body) ? "SELECT * FROM (\n\(body)\n) AS agnes_query LIMIT \(limit + 1)" : body)
            var rows: [[DuckDBValue]] = []
            for row in try result.rows() {
                if rows.count == limit { return (result.columns.map(\.name), rows, true) }
                rows.append(row.values)
            }
            return (result.columns.map(\.name), rows, false)
        }
    }

    /// Writes a SELECT's rows (the first `limit`, when given) to `file` as zstd parquet, through a temporary name;
    /// returns the row count.
    public func exportParquet(_ sql: String, limit: Int?, to file: URL) throws -> Int64 {
        let body = Self.statement(sql)
        guard Self.isSelect(body) else { throw ClientError(.usage, "--format parquet takes a SELECT") }
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp-\(UUID().uuidString.prefix(8))")
        let literal = SQL.literal(temporary.path)
        do {
            let rows = try withConnection { connection in
                try connection.query("COPY (SELECT * FROM (\n\(body)\n) AS agnes_query\(limit.map { " LIMIT \($0)" } ?? "")) TO \(literal) (FORMAT parquet, COMPRESSION zstd)")
                    .rows().first?.values.first.flatMap { Int64("\($0)") } ?? 0
            }
            guard rename(temporary.path, file.path) == 0 else { throw ClientError(.failure, "cannot write \(file.path): \(String(cString: strerror(errno)))") }
            return rows
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        guard FileManager.default.fileExists(atPath: workspace.databaseFile.path) else {
            throw ClientError(.failure, "no workspace database at \(workspace.databaseFile.path): run `agnes pull` first")
        }
        let database = try Database(path: workspace.databaseFile.path, configuration: .init(accessMode: .readOnly))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        do {
            return try body(connection)
        } catch let error as DuckDBError {
            var message = error.message
            if message.contains("does not exist") && message.contains("Table") {
                message += "\nhint: `agnes catalog` lists the tables you can query; remote tables need `agnes query --remote` or a snapshot"
            }
            throw ClientError(.failure, message)
        }
    }

    /// The SQL without surrounding blanks and trailing semicolons.
    package static func statement(_ sql: String) -> String {
        var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while body.hasSuffix(";") { body.removeLast() }
        return body
    }

    package static func isSelect(_ body: String) -> Bool {
        let lowered = body.lowercased()
        return ["select", "with", "from", "values", "table", "("].contains { lowered.hasPrefix($0) }
    }
}
