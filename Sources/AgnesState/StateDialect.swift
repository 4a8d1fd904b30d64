// The few places where DuckDB's SQL and PostgreSQL's differ, spelled once for each.

/// The SQL dialect of a state connection. Repositories write portable SQL (both databases take `$n` parameters,
/// `TIMESTAMPTZ`, `VARCHAR[]`, `count(*) FILTER`, `ILIKE`, `ON CONFLICT`) and ask the dialect for the rest.
public enum StateDialect: String, Sendable {
    case duckDB = "duckdb"
    case postgreSQL = "postgresql"

    /// True when the list `list` holds `element` (both SQL expressions).
    public func listContains(_ list: String, _ element: String) -> String {
        switch self {
        case .duckDB: "list_contains(\(list), \(element))"
        case .postgreSQL: "(\(element) = ANY(\(list)))"
        }
    }

    /// The lowercase hexadecimal SHA-256 of a VARCHAR expression's UTF-8 bytes.
    public func sha256Hex(_ text: String) -> String {
        switch self {
        case .duckDB: "sha256(\(text))"
        case .postgreSQL: "encode(sha256(convert_to(\(text), 'UTF8')), 'hex')"
        }
    }

    /// A TIMESTAMPTZ expression as microseconds since the Unix epoch (BIGINT).
    public func epochMicroseconds(_ timestamp: String) -> String {
        switch self {
        case .duckDB: "epoch_us(\(timestamp))"
        case .postgreSQL: "(extract(epoch FROM \(timestamp)) * 1000000)::BIGINT"
        }
    }
}
