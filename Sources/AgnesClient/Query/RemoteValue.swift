// A remote query's cells (`POST /api/query`, decoded strictly: a boolean stays a boolean, an integer an integer) as
// DuckDB values, so local and remote results share one formatter.
import AgnesAPI
import DuckDB

extension ResultCell {
    /// The cell as a DuckDB value.
    public var duckDBValue: DuckDBValue {
        switch self {
        case .null: .null
        case let .bool(value): .bool(value)
        case let .integer(value): .int64(value)
        case let .number(value): .double(value)
        case let .text(value): .string(value)
        }
    }
}
