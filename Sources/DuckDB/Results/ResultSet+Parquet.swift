// A result written as zstd parquet by a DuckDB of its own: for results of a connection that may not write files (a
// locked-down grant scope). The rows are appended chunk by chunk into a scratch in-memory table — spilled to
// `spillDirectory` past the memory limit — and copied out.
import Foundation

extension ResultSet {
    /// Writes the remaining rows as zstd parquet at `path`; returns the rows written. The result is consumed.
    public func writeParquet(to path: String, spillDirectory: String) throws -> Int64 {
        let database = try Database(configuration: .init(threads: 1, memoryLimit: "1GB"))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute("SET temp_directory = \(SQL.literal(spillDirectory))")
        let names = columns.enumerated().map { $0.element.name.isEmpty ? "column\($0.offset)" : $0.element.name }
        guard Set(names).count == names.count else {
            throw DuckDBError(kind: .invalidInput, message: "the result has two columns of the same name; give each its own (AS …)")
        }
        try connection.execute("CREATE TABLE agnes_rows (" + zip(names, columns).map { "\(SQL.identifier($0)) \($1.type)" }.joined(separator: ", ") + ")")
        let appender = try connection.appender(table: "agnes_rows")
        var rows: Int64 = 0
        while let chunk = try nextChunk() {
            try appender.append(chunk)
            rows += Int64(chunk.count)
        }
        try appender.close()
        try connection.execute("COPY agnes_rows TO \(SQL.literal(path)) (FORMAT parquet, COMPRESSION zstd)")
        return rows
    }
}
