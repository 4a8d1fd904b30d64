// The few places where DuckDB's SQL and PostgreSQL's differ, spelled once for each.
import Foundation

/// The SQL dialect of a state connection. Repositories write one SQL for both: the two databases share `$n`
/// parameters, `TIMESTAMPTZ`, `VARCHAR[]` and `ARRAY[]`, `count(*) FILTER`, `ILIKE`, `ON CONFLICT` and `unnest`; a
/// parameter that may be NULL is cast where it is first used (`$1::VARCHAR IS NULL OR …`), which PostgreSQL needs to
/// know its type; DuckDB's `list_contains`, `list_position`, `epoch_us`, `string_split` and `list` exist on PostgreSQL as
/// one-line functions (`PostgresCompatibility`). The dialect spells the rest.
public enum StateDialect: String, Sendable {
    case duckDB = "duckdb"
    case postgreSQL = "postgresql"

    /// A migration step's DDL in this dialect. The ladder is written once, in DuckDB's words; PostgreSQL spells an
    /// empty list default and a double differently, and keeps JSON documents as TEXT (a parameter is bound as text, which
    /// PostgreSQL does not cast to JSON on its own; the application writes and reads the documents whole).
    public func schema(_ sql: String) -> String {
        switch self {
        case .duckDB: sql
        case .postgreSQL:
            sql.replacingOccurrences(of: "DEFAULT []", with: "DEFAULT '{}'")
                .replacingOccurrences(of: #"\bJSON\b"#, with: "TEXT", options: .regularExpression)
                .replacingOccurrences(of: #"\bDOUBLE\b(?! PRECISION)"#, with: "DOUBLE PRECISION", options: .regularExpression)
        }
    }

    /// What ends a `SELECT` that picks a row to claim: on PostgreSQL it locks the row and passes over rows another
    /// transaction holds (so concurrent claimers take different rows); DuckDB has no row locks — a second claimer of
    /// the same row fails with a write conflict and is retried.
    public var skipLocked: String {
        switch self {
        case .duckDB: ""
        case .postgreSQL: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// The lowercase hexadecimal SHA-256 of a VARCHAR expression's UTF-8 bytes.
    public func sha256Hex(_ text: String) -> String {
        switch self {
        case .duckDB: "sha256(\(text))"
        case .postgreSQL: "encode(sha256(convert_to(\(text), 'UTF8')), 'hex')"
        }
    }
}
