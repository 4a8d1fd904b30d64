// The `sqlite` connector: tables (or a query) of one SQLite file, read through DuckDB's sqlite_scanner attached
// read-only.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

public struct SQLiteConnector: Connector {
    public struct Configuration: Decodable, Sendable {
        /// The SQLite database file.
        public var path: String
    }

    public let path: String

    public init(configuration: Configuration) throws {
        guard configuration.path.hasPrefix("/") else { throw ConnectorError("sqlite: 'path' must be an absolute path") }
        path = configuration.path
    }

    public func prepare(_ connection: Connection) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ConnectorError("sqlite: no database file at \(path)") }
        try connection.execute("LOAD sqlite_scanner")
        try connection.execute("ATTACH \(SQL.literal(path)) AS source (TYPE sqlite, READ_ONLY)")
    }

    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        try prepare(connection)
        let tables = try connection.scalar(Int64.self, "SELECT count(*) FROM duckdb_tables() WHERE database_name = $1", "source") ?? 0
        return "SQLite database \(path) opened (\(tables) tables)"
    }

    public func query(for table: RegisteredTable) throws -> String {
        if let query = table.sourceQuery, !query.isEmpty { return query }
        guard let name = table.sourceTable, !name.isEmpty else { throw ConnectorError("table \(table.id): source_table or source_query is needed") }
        return "SELECT * FROM source.\(SQL.identifier(name))"
    }
}
