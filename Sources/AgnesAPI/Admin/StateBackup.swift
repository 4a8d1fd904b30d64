// A copy of the state database taken while the server runs (`POST /api/admin/backup`).

/// What an online backup wrote.
public struct StateBackup: Codable, Sendable, Equatable {
    /// Where the copy is, on the server's disk (`state/backups/system-online-<time>.duckdb`).
    public var path: String
    /// Tables copied.
    public var tables: Int
    /// Rows copied, over every table.
    public var rows: Int
    /// Size of the copy.
    public var bytes: Int64

    public init(path: String, tables: Int, rows: Int, bytes: Int64) {
        (self.path, self.tables, self.rows, self.bytes) = (path, tables, rows, bytes)
    }
}
