// `POST /api/query`: one SELECT over the tables the caller may read, answered as columns and rows of JSON values.
import Foundation

/// The body of `POST /api/query`.
public struct QueryRequest: Codable, Sendable, Equatable {
    public var sql: String
    /// Rows at most (default 1,000; clamped to the server's `query.max_rows`).
    public var limit: Int?

    public init(sql: String, limit: Int? = nil) {
        self.sql = sql
        self.limit = limit
    }
}

/// One value of a result row as JSON: numbers, booleans, strings and null as they are; anything else as DuckDB prints it.
public enum ResultCell: Codable, Sendable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), text(String)

    /// About how many bytes the value takes in JSON.
    public var estimatedJSONBytes: Int {
        switch self {
        case .null: 4
        case .bool: 5
        case .integer, .number: 12
        case let .text(v): v.utf8.count + 2
        }
    }

    /// Strict decoding: a boolean stays a boolean, an integer an integer.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else { self = .text(try container.decode(String.self)) }
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
public struct QueryResult: Codable, Sendable, Equatable {
    public var columns: [String]
    public var rows: [[ResultCell]]
    public var rowCount: Int
    /// Rows were cut off at the row or byte cap.
    public var truncated: Bool
    /// Which tables the caller read through their access policies (null when none).
    @Nullable public var rowScope: RowScope?
    /// Why the rows stop short, when the query failed (its time limit, a cancellation, an error) after a large answer
    /// had begun to be sent: the status was 200 by then, so the body says it (`truncated` is true). Null otherwise.
    @Nullable public var error: String?

    public init(columns: [String], rows: [[ResultCell]], rowCount: Int, truncated: Bool, rowScope: RowScope? = nil, error: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.rowCount = rowCount
        self.truncated = truncated
        self.rowScope = rowScope
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case columns, rows, truncated, error
        case rowCount = "row_count"
        case rowScope = "row_scope"
    }
}

/// The tables a result was read from through access policies, and what that means for the reader.
public struct RowScope: Codable, Sendable, Equatable {
    public var policiedTables: [String]
    public var note: String

    public init(policiedTables: [String]) {
        self.policiedTables = policiedTables
        note = "rows and columns of \(policiedTables.joined(separator: ", ")) are limited by access policies: results cover only what you may see"
    }

    enum CodingKeys: String, CodingKey {
        case note
        case policiedTables = "policied_tables"
    }
}

/// The `detail` of a 400 from `POST /api/query` when the remote tables it reads hold more than the server lets one
/// query read from their sources (`query.remote_max_scan_bytes`), as upstream answers it.
public struct RemoteScanTooLarge: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public static let reasonCode = "remote_scan_too_large"
    public var reason = Self.reasonCode
    /// What reading them would take (null when a table with an access policy is among them: the figure would tell
    /// the caller about rows they may not see).
    @Nullable public var scanBytes: Int64?
    public var limitBytes: Int64
    /// The remote tables the query reads.
    public var tables: [String]
    /// The tables to snapshot instead (`agnes query --remote --auto-snapshot` does it).
    public var viewTargets: [String]
    public var suggestion: String

    public init(scanBytes: Int64?, limitBytes: Int64, tables: [String], viewTargets: [String], suggestion: String) {
        self.scanBytes = scanBytes
        self.limitBytes = limitBytes
        self.tables = tables
        self.viewTargets = viewTargets
        self.suggestion = suggestion
    }

    public var description: String {
        let size = scanBytes.map { "\($0) bytes, over" } ?? "more than"
        return "the remote tables \(tables.joined(separator: ", ")) would read \(size) the limit of \(limitBytes) bytes: \(suggestion)"
    }

    enum CodingKeys: String, CodingKey {
        case reason, tables, suggestion
        case scanBytes = "scan_bytes"
        case limitBytes = "limit_bytes"
        case viewTargets = "view_targets"
    }
}
