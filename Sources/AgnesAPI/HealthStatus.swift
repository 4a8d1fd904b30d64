// The wire type of `GET /api/health`, shared by the server and the CLI.

/// The body of `GET /api/health`: whether the server is up, which Agnes and DuckDB it runs, and (as upstream) whether
/// the state database schema is the one this server expects.
public struct HealthStatus: Codable, Sendable, Equatable {
    /// `ok`, or `unhealthy` when the state database is unreachable or at another schema version.
    public var status: String
    /// The Agnes version (`AgnesVersion.current`).
    public var version: String
    /// The DuckDB library version, for example `v1.5.5`.
    public var duckdb: String
    /// `ok`, `mismatch` or `unreachable`; nil when the server runs without a state database (tests).
    public var dbSchema: String?
    /// The schema version of the state database, and the one this server expects.
    public var current: Int?
    public var expected: Int?

    public init(status: String, version: String, duckdb: String, dbSchema: String? = nil, current: Int? = nil, expected: Int? = nil) {
        self.status = status
        self.version = version
        self.duckdb = duckdb
        self.dbSchema = dbSchema
        self.current = current
        self.expected = expected
    }

    enum CodingKeys: String, CodingKey {
        case status, version, duckdb, current, expected
        case dbSchema = "db_schema"
    }
}
