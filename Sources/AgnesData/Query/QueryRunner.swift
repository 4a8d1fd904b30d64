// Runs a guarded SELECT on the query engine with a row cap and a timeout (`duckdb_interrupt` when it passes), and
// returns upstream's shape: column names, rows of JSON values, the row count and whether rows were cut off.
import DuckDB
import Foundation

/// One value of a result row as JSON: numbers, booleans, strings and null as they are; anything else as DuckDB prints it.
public enum ResultCell: Encodable, Sendable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), text(String)

    init(_ value: DuckDBValue) {
        switch value {
        case .null: self = .null
        case let .bool(v): self = .bool(v)
        case let .int8(v): self = .integer(Int64(v))
        case let .int16(v): self = .integer(Int64(v))
        case let .int32(v): self = .integer(Int64(v))
        case let .int64(v): self = .integer(v)
        case let .uint8(v): self = .integer(Int64(v))
        case let .uint16(v): self = .integer(Int64(v))
        case let .uint32(v): self = .integer(Int64(v))
        case let .float(v) where v.isFinite: self = .number(Double(v))
        case let .double(v) where v.isFinite: self = .number(v)
        case let .decimal(v): self = Double(v.description).map(ResultCell.number) ?? .text(v.description)
        case let .string(v): self = .text(v)
        default: self = .text(value.description)
        }
    }

    /// About how many bytes the value takes in JSON.
    var estimatedJSONBytes: Int {
        switch self {
        case .null: 4
        case .bool: 5
        case .integer, .number: 12
        case let .text(v): v.utf8.count + 2
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(v): try container.encode(v)
        case let .integer(v): try container.encode(v)
        case let .number(v): try container.encode(v)
        case let .text(v): try container.encode(v)
        }
    }
}

/// The answer of `POST /api/query`.
public struct QueryResult: Encodable, Sendable {
    public var columns: [String]
    public var rows: [[ResultCell]]
    public var rowCount: Int
    public var truncated: Bool

    enum CodingKeys: String, CodingKey {
        case columns, rows, truncated
        case rowCount = "row_count"
    }
}

/// A query that ran past its time.
public struct QueryTimedOut: Error, CustomStringConvertible {
    public let milliseconds: Int
    public var description: String { "the query was interrupted after \(milliseconds) ms (the query time limit)" }
}

public enum QueryRunner {
    /// Runs `sql` (already guarded) returning at most `limit` rows and about `maximumBytes` of JSON; interrupted after
    /// `timeoutMilliseconds`.
    public static func run(_ sql: String, limit: Int, maximumBytes: Int = .max, timeoutMilliseconds: Int,
                           on engine: QueryEngine) async throws -> QueryResult {
        var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let wrapped = "SELECT * FROM (\n\(body)\n) AS agnes_query LIMIT \(limit + 1)"
        return try await engine.withConnection { connection in
            let handle = connection.interruptHandle
            let timer = DispatchWorkItem { handle.interrupt() }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeoutMilliseconds), execute: timer)
            defer { timer.cancel() }
            let result: ResultSet
            let rows: [Row]
            do {
                result = try connection.query(wrapped)
                rows = try result.rows()
            } catch let error as DuckDBError where error.kind == .interrupt {
                throw QueryTimedOut(milliseconds: timeoutMilliseconds)
            }
            // Rows are kept while their JSON stays under the byte cap (at least one row is always returned).
            var kept: [[ResultCell]] = []
            var bytes = 0
            for row in rows.prefix(limit) {
                let cells = row.values.map(ResultCell.init)
                bytes += cells.reduce(2) { $0 + $1.estimatedJSONBytes + 1 }
                if bytes > maximumBytes, !kept.isEmpty { return QueryResult(columns: result.columns.map(\.name), rows: kept, rowCount: kept.count, truncated: true) }
                kept.append(cells)
            }
            return QueryResult(columns: result.columns.map(\.name), rows: kept, rowCount: kept.count, truncated: rows.count > limit)
        }
    }
}
