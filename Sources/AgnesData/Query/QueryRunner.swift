// Runs a guarded SELECT in the caller's grant scope with a row cap, a byte cap and a timeout (`duckdb_interrupt` when
// it passes), and returns upstream's shape: column names, rows of JSON values, the row count and whether rows were
// cut off. Rows are read chunk by chunk and the caps are checked as they arrive, so neither a long result nor one
// huge value is ever held whole: a text value longer than what is left of the cap is measured, not copied.
import AgnesAPI
import DuckDB
import Foundation

/// A query that ran past its time.
public struct QueryTimedOut: Error, CustomStringConvertible {
    public let milliseconds: Int
    public var description: String { "the query was interrupted after \(milliseconds) ms (the query time limit)" }
}

/// A result whose first row alone is larger than the response may be.
public struct RowTooLarge: Error, CustomStringConvertible {
    public let maximumBytes: Int
    public var description: String {
        "the first row is larger than the response limit of \(maximumBytes) bytes: select fewer or shorter columns (e.g. left(column, 1000))"
    }
}

public enum QueryRunner {
    /// Runs `sql` (already guarded) returning at most `limit` rows and about `maximumBytes` of JSON; interrupted after
    /// `timeoutMilliseconds`, in the grant scope of the `readable` tables, policied as `policies` says.
    public static func run(_ sql: String, limit: Int, maximumBytes: Int = .max, timeoutMilliseconds: Int,
                           on engine: QueryEngine, readable: Set<String>, policies: PolicyEnforcement) async throws -> QueryResult {
        try await run(sql, limit: limit, maximumBytes: maximumBytes, deadline: QueryDeadline(milliseconds: timeoutMilliseconds),
                      on: engine, readable: readable, policies: policies)
    }

    /// `run` with a deadline the caller can also cancel (when its client disconnects).
    public static func run(_ sql: String, limit: Int, maximumBytes: Int = .max, deadline: QueryDeadline,
                           on engine: QueryEngine, readable: Set<String>, policies: PolicyEnforcement) async throws -> QueryResult {
        try await run(sql, limit: limit, deadline: deadline, on: engine, readable: readable, policies: policies) {
            try collect($0, limit: limit, maximumBytes: maximumBytes)
        }
    }

    /// `run` answering the JSON of the result, written straight from DuckDB's vectors (the HTTP answer) and handed on
    /// through `pipe` as it is written: the first bytes once `streamAfter` bytes are written, then every `chunk` bytes,
    /// waiting (within the time limit) while the client is slow to read. Returns what was not handed on, for `finished`.
    public static func streamJSON(_ sql: String, limit: Int, maximumBytes: Int, deadline: QueryDeadline, streamAfter: Int, chunk: Int,
                                  into pipe: ResultPipe, on engine: QueryEngine, readable: Set<String>,
                                  policies: PolicyEnforcement) async throws -> QueryResultJSON {
        try await run(sql, limit: limit, deadline: deadline, on: engine, readable: readable, policies: policies) {
            try QueryResultJSON.streamed($0, limit: limit, maximumBytes: maximumBytes, firstChunk: streamAfter, chunk: chunk) { bytes in
                try pipe.send(bytes) { try deadline.checkpoint() }
            }
        }
    }

    /// Runs `sql` limited to `limit` + 1 rows in the grant scope under `deadline`, its rows read by `collect`.
    static func run<Output: Sendable>(_ sql: String, limit: Int, deadline: QueryDeadline, on engine: QueryEngine, readable: Set<String>,
                                      policies: PolicyEnforcement, collect: @escaping @Sendable (ResultSet) throws -> Output) async throws -> Output {
        var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let wrapped = "SELECT * FROM (\n\(body)\n) AS agnes_query LIMIT \(limit + 1)"
        let work: @Sendable (Connection) throws -> Output = { connection in
            try deadline.run(on: connection) { try collect(try connection.query(wrapped)) }
        }
        return try await engine.withScope(readable: readable, policies: policies, work)
    }

    /// Writes every row of `sql` (already guarded) to `output` — an Arrow IPC stream, or parquet — in the grant scope of
    /// the `readable` tables, policied as `policies` says, under `deadline`; returns the rows written. The grant scope
    /// writes no file: the stream is written by this process, one chunk at a time, and parquet by a scratch DuckDB.
    public static func export(_ sql: String, to output: URL, format: ScanFormat, deadline: QueryDeadline, on engine: QueryEngine,
                              readable: Set<String>, policies: PolicyEnforcement) async throws -> Int64 {
        var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let wrapped = "SELECT * FROM (\n\(body)\n) AS agnes_query"
        return try await engine.withScope(readable: readable, policies: policies) { connection in
            try deadline.run(on: connection) {
                switch format {
                case .arrow:
                    let file = try BufferedFileWriter(path: output.path)
                    let rows = try connection.query(wrapped).writeArrowIPC { try file.write($0) }
                    try file.close()
                    return rows
                case .parquet:
                    return try connection.query(wrapped).writeParquet(to: output.path, spillDirectory: output.deletingLastPathComponent().path)
                }
            }
        }
    }

    /// Reads rows while they fit the caps.
    static func collect(_ result: ResultSet, limit: Int, maximumBytes: Int) throws -> QueryResult {
        defer { result.close() }
        let columns = result.columns.map(\.name)
        var kept: [[ResultCell]] = []
        var bytes = 2
        func answer(truncated: Bool) throws -> QueryResult {
            if kept.isEmpty, truncated, bytes > maximumBytes { throw RowTooLarge(maximumBytes: maximumBytes) }
            return QueryResult(columns: columns, rows: kept, rowCount: kept.count, truncated: truncated)
        }
        while let chunk = try result.nextChunk() {
            let vectors = (0..<columns.count).map(chunk.column)
            for row in 0..<chunk.count {
                if kept.count == limit { return try answer(truncated: true) }
                var rowBytes = 2
                var cells: [ResultCell] = []
                cells.reserveCapacity(vectors.count)
                for vector in vectors {
                    // A long text is measured before it is copied: past the cap it is never read.
                    if let length = vector.byteLength(at: row), bytes + rowBytes + length > maximumBytes {
                        bytes += rowBytes + length
                        return try answer(truncated: true)
                    }
                    let cell = ResultCell(try vector.value(at: row))
                    rowBytes += cell.estimatedJSONBytes + 1
                    cells.append(cell)
                }
                bytes += rowBytes
                if bytes > maximumBytes { return try answer(truncated: true) }
                kept.append(cells)
            }
        }
        return try answer(truncated: false)
    }
}
