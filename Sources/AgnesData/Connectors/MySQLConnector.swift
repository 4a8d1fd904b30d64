// The `mysql` connector: tables (or a query run by the server itself) of one MySQL or MariaDB database, read through
// DuckDB's mysql extension (`mysql_scanner`, from the pinned wheel). As for PostgreSQL, the password is never stored:
// the source names the environment variable that holds it (`password_env`), and it reaches DuckDB as a temporary
// secret, so it appears in no SQL text and no error message. `remote` tables are served live from the attached
// database.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

public struct MySQLConnector: Connector, RemoteConnector {
    public struct Configuration: Decodable, Sendable, Equatable {
        public var host: String
        public var port: Int?
        public var database: String
        public var user: String
        /// The environment variable holding the password (none: no password).
        public var passwordEnv: String?

        enum CodingKeys: String, CodingKey {
            case host, port, database, user
            case passwordEnv = "password_env"
        }
    }

    public let configuration: Configuration
    let environment: [String: String]

    public init(configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let plain = DatabaseServerSource.isPlain
        guard plain(configuration.host) else { throw ConnectorError("mysql: 'host' must be a host name or address") }
        guard plain(configuration.database), plain(configuration.user) else { throw ConnectorError("mysql: 'database' and 'user' are required") }
        if let port = configuration.port, !(1...65535).contains(port) { throw ConnectorError("mysql: 'port' must be between 1 and 65535") }
        self.configuration = configuration
        self.environment = environment
    }

    /// Attaches the database read-only as `alias`, with the credentials in a temporary secret of the same name.
    public func attach(_ connection: Connection, as alias: String) throws {
        try attach(connection, as: alias, host: configuration.host)
    }

    /// A connection test: the host must resolve to addresses `policy` allows, and the server is reached at the
    /// checked address, never at a second DNS answer.
    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        let addresses: [String]
        do { addresses = try policy.resolve(configuration.host) } catch let refusal as NetworkPolicy.Refusal {
            throw ConnectorError("mysql: \(refusal.description)")
        }
        try attach(connection, as: "source", host: addresses[0])
        struct Row: Decodable { let version: String; let tables: Int64 }
        let row = try connection.query("""
            SELECT * FROM mysql_query('source', 'SELECT version() AS version, (SELECT count(*) FROM information_schema.tables
                WHERE table_schema = database()) AS tables')
            """).decodeFirst(Row.self)
        return "connected to MySQL \(row?.version ?? "?") at \(configuration.host) (\(addresses[0])), \(row?.tables ?? 0) tables"
    }

    func attach(_ connection: Connection, as alias: String, host: String) throws {
        let password = try DatabaseServerSource.password(from: configuration.passwordEnv, in: environment, kind: "mysql")
        try connection.execute("LOAD mysql_scanner")
        // The extension (1.5.5) pushes an aggregate over a view of a MySQL table down wrongly ("INTERNAL Error: Failed to
        // bind column reference count_star()"); our tables are always such views, so DuckDB aggregates instead.
        try connection.execute("SET GLOBAL mysql_aggregate_pushdown_enabled = false")
        let secret = "agnes_mysql_\(alias)"
        try connection.execute("""
            CREATE OR REPLACE TEMPORARY SECRET \(SQL.identifier(secret)) (TYPE mysql, HOST \(SQL.literal(host)), PORT \(configuration.port ?? 3306),
                DATABASE \(SQL.literal(configuration.database)), USER \(SQL.literal(configuration.user)), PASSWORD \(SQL.literal(password)))
            """)
        do {
            try connection.execute("ATTACH '' AS \(SQL.identifier(alias)) (TYPE mysql, SECRET \(SQL.identifier(secret)), READ_ONLY)")
        } catch let error as DuckDBError {
            throw ConnectorError("mysql: cannot connect to \(configuration.host):\(configuration.port ?? 3306)/\(configuration.database) "
                                 + "as \(configuration.user): \(DatabaseServerSource.redacting(password, in: error.message))")
        }
    }

    /// The rows of `table` in the database attached as `alias`: its `source_query` run by the server, or its
    /// `source_table` (`table`, or `database.table` of another database the user may read).
    public func relation(for table: RegisteredTable, alias: String) throws -> String {
        try DatabaseServerSource.relation(for: table, alias: alias, queryFunction: "mysql_query", namespace: "database",
                                          defaultNamespace: configuration.database)
    }

    /// The table's data length and row count as `information_schema.tables` tells them (an estimate for InnoDB); nil
    /// for a view or a `source_query` table.
    public func size(of table: RegisteredTable, alias: String, on connection: Connection) throws -> RemoteTableSize? {
        if let query = table.sourceQuery, !query.isEmpty { return nil }
        let (database, name) = try DatabaseServerSource.qualifiedName(of: table, namespace: "database", defaultNamespace: configuration.database)
        // MySQL string literals: backslashes and quotes escaped, so the names are values, never SQL text.
        func text(_ value: String) -> String {
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
        }
        let query = """
            SELECT table_type AS kind, CAST(table_rows AS SIGNED) AS row_estimate,
                   CAST(coalesce(data_length, 0) AS SIGNED) AS bytes
            FROM information_schema.tables WHERE table_schema = \(text(database)) AND table_name = \(text(name))
            """
        return try DatabaseServerSource.size(query: query, alias: alias, queryFunction: "mysql_query", on: connection) { $0 == "VIEW" }
    }
}
