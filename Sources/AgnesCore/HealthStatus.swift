// The wire type of `GET /api/health`, shared by the server and the CLI.

/// The body of `GET /api/health`: whether the server is up, and which Agnes and DuckDB it runs.
public struct HealthStatus: Codable, Sendable, Equatable {
    /// `ok` while the server answers.
    public var status: String
    /// The Agnes version (`AgnesVersion.current`).
    public var version: String
    /// The DuckDB library version, for example `v1.5.5`.
    public var duckdb: String

    public init(status: String, version: String, duckdb: String) {
        self.status = status
        self.version = version
        self.duckdb = duckdb
    }
}
