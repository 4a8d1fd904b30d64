// The `postgres` connector: tables (or a query run by PostgreSQL itself) of one PostgreSQL database, read through
// DuckDB's postgres_scanner. The password is never stored: the source names the environment variable that holds it
// (`password_env`), read when a sync starts or the engine attaches the database for `remote` tables. It reaches DuckDB
// as a temporary secret, so it appears in no SQL text and no error message.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

public struct PostgresConnector: Connector, RemoteConnector {
    public struct Configuration: Decodable, Sendable, Equatable {
        public var host: String
        public var port: Int?
        public var database: String
        public var user: String
        /// The environment variable holding the password (none: no password).
        public var passwordEnv: String?
        /// The schema of tables named without one (default `public`).
        public var schema: String?
        /// libpq's `sslmode` (default `prefer`).
        public var sslmode: String?

        enum CodingKeys: String, CodingKey {
            case host, port, database, user, schema, sslmode
            case passwordEnv = "password_env"
        }
    }

    public static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    public let configuration: Configuration
    let environment: [String: String]

    public init(configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let plain = DatabaseServerSource.isPlain
        guard plain(configuration.host) else { throw ConnectorError("postgres: 'host' must be a host name or address") }
        guard plain(configuration.database), plain(configuration.user) else { throw ConnectorError("postgres: 'database' and 'user' are required") }
        if let port = configuration.port, !(1...65535).contains(port) { throw ConnectorError("postgres: 'port' must be between 1 and 65535") }
        if let mode = configuration.sslmode, !Self.sslModes.contains(mode) {
            throw ConnectorError("postgres: 'sslmode' must be one of \(Self.sslModes.joined(separator: ", "))")
        }
        if let schema = configuration.schema, !ExtractLayout.isValidSourceName(schema) {
            throw ConnectorError("postgres: 'schema' must be a plain identifier")
        }
        self.configuration = configuration
        self.environment = environment
    }

    /// Attaches the database read-only as `alias`, with the credentials in a temporary secret of the same name.
    public func attach(_ connection: Connection, as alias: String) throws {
        try attach(connection, as: alias, address: nil)
    }

    /// A connection test: the host must resolve to addresses `policy` allows, and the database is reached at the
    /// checked address (libpq's `hostaddr`), never at a second DNS answer.
    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        let addresses: [String]
        do { addresses = try policy.resolve(configuration.host) } catch let refusal as NetworkPolicy.Refusal {
            throw ConnectorError("postgres: \(refusal.description)")
        }
        try attach(connection, as: "source", address: addresses[0])
        struct Row: Decodable { let version: String; let tables: Int64 }
        let row = try connection.query("""
            SELECT * FROM postgres_query('source', 'SELECT version() AS version, (SELECT count(*) FROM information_schema.tables
                WHERE table_schema NOT IN (''pg_catalog'', ''information_schema'')) AS tables')
            """).decodeFirst(Row.self)
        let version = row?.version.split(separator: " ").prefix(2).joined(separator: " ") ?? "PostgreSQL"
        return "connected to \(version) at \(configuration.host) (\(addresses[0])), \(row?.tables ?? 0) tables"
    }

    func attach(_ connection: Connection, as alias: String, address: String?) throws {
        let password = try DatabaseServerSource.password(from: configuration.passwordEnv, in: environment, kind: "postgres")
        try connection.execute("LOAD postgres_scanner")
        let secret = "agnes_pg_\(alias)"
        try connection.execute("""
            CREATE OR REPLACE TEMPORARY SECRET \(SQL.identifier(secret)) (TYPE postgres, HOST \(SQL.literal(configuration.host)),
                PORT \(configuration.port ?? 5432), DATABASE \(SQL.literal(configuration.database)), USER \(SQL.literal(configuration.user)),
                PASSWORD \(SQL.literal(password)))
            """)
        var options = "sslmode=\(configuration.sslmode ?? "prefer") connect_timeout=10 application_name=agnes"
        if let address { options += " hostaddr=\(address)" }
        do {
            try connection.execute("ATTACH \(SQL.literal(options)) AS \(SQL.identifier(alias)) (TYPE postgres, SECRET \(SQL.identifier(secret)), READ_ONLY)")
        } catch let error as DuckDBError {
            throw ConnectorError("postgres: cannot connect to \(configuration.host):\(configuration.port ?? 5432)/\(configuration.database) "
                                 + "as \(configuration.user): \(DatabaseServerSource.redacting(password, in: error.message))")
        }
    }

    /// The rows of `table` in the database attached as `alias`: its `source_query` run by PostgreSQL, or its
    /// `source_table` (`table` or `schema.table`).
    public func relation(for table: RegisteredTable, alias: String) throws -> String {
        try DatabaseServerSource.relation(for: table, alias: alias, queryFunction: "postgres_query", namespace: "schema",
                                          defaultNamespace: table.bucket ?? configuration.schema ?? "public")
    }

    /// The table's size on disk (`pg_table_size`, summed over the partitions of a partitioned table) and PostgreSQL's
    /// row estimate (`reltuples`, kept by ANALYZE); nil for a view or a `source_query` table.
    public func size(of table: RegisteredTable, alias: String, on connection: Connection) throws -> RemoteTableSize? {
        if let query = table.sourceQuery, !query.isEmpty { return nil }
        let (schema, name) = try DatabaseServerSource.qualifiedName(of: table, namespace: "schema",
                                                                    defaultNamespace: table.bucket ?? configuration.schema ?? "public")
        // The names are PostgreSQL string literals here (quotes doubled; standard strings), never SQL text.
        func text(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        let query = """
            SELECT c.relkind::text AS kind,
                   (CASE WHEN c.relkind = 'p' THEN (SELECT sum(greatest(p.reltuples, 0)) FROM pg_partition_tree(c.oid) t
                                                     JOIN pg_class p ON p.oid = t.relid WHERE t.isleaf)
                         ELSE c.reltuples END)::bigint AS row_estimate,
                   (CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_table_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
                         ELSE pg_table_size(c.oid) END)::bigint AS bytes
            FROM pg_class c WHERE c.oid = to_regclass(format('%I.%I', \(text(schema)), \(text(name))))
            """
        return try DatabaseServerSource.size(query: query, alias: alias, queryFunction: "postgres_query", on: connection) { $0 == "v" }
    }
}
