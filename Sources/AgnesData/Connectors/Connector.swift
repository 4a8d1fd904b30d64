// A connector turns a registered table of one data source into a SELECT that DuckDB can run, after preparing the
// connection (loading an extension, attaching the source read-only). The extract writer materializes that SELECT.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

/// Reads tables of one configured data source.
public protocol Connector: Sendable {
    /// Readies a fresh connection to read this source (extensions, ATTACH).
    func prepare(_ connection: Connection) throws
    /// The SELECT that yields `table`'s rows.
    func query(for table: RegisteredTable) throws -> String
    /// Checks that the source can be read (reaching only hosts `policy` allows) and says what it found.
    func test(on connection: Connection, policy: NetworkPolicy) throws -> String
}

/// A connector whose tables can also be served live (`query_mode: remote`): the query engine attaches the source and
/// reads it at query time instead of from an extract.
public protocol RemoteConnector: Connector {
    /// Attaches the source read-only to `connection` under `alias`.
    func attach(_ connection: Connection, as alias: String) throws
    /// The SELECT that yields `table`'s rows from the source attached as `alias`.
    func relation(for table: RegisteredTable, alias: String) throws -> String
    /// What the source says `table` holds, asked through the source attached as `alias`; nil when it cannot tell
    /// (a view, a `source_query`).
    func size(of table: RegisteredTable, alias: String, on connection: Connection) throws -> RemoteTableSize?
}

/// The size of a remote table as its source's statistics tell it: what reading it whole costs the source.
public struct RemoteTableSize: Sendable, Equatable {
    /// Bytes the table takes at the source.
    public var bytes: Int64
    /// Rows, as the source last counted them (nil when it never has).
    public var rows: Int64?

    public init(bytes: Int64, rows: Int64?) {
        self.bytes = bytes
        self.rows = rows
    }
}

extension RemoteConnector {
    /// An extract reads the source attached as `source`.
    public func prepare(_ connection: Connection) throws {
        try attach(connection, as: "source")
    }

    public func query(for table: RegisteredTable) throws -> String {
        try relation(for: table, alias: "source")
    }
}

/// A connector instance that cannot be used as configured.
public struct ConnectorError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Makes the connector of a data source from its type and JSON configuration.
public enum Connectors {
    public static let knownTypes = ["files", "postgres", "mysql", "sqlite", "keboola", "http_json", "jira"]
    /// The types whose connector is a `RemoteConnector` (tables of theirs may be served live, `query_mode: remote`).
    public static let remoteTypes: Set<String> = ["postgres", "mysql"]

    /// Configuration keys that would hold a secret: refused, since secrets live in environment variables.
    static let secretKeys: Set<String> = ["password", "token", "secret", "api_key", "apikey"]

    public static func make(_ source: DataSource, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Connector {
        if let object = try? JSONSerialization.jsonObject(with: Data(source.config.utf8)) as? [String: Any],
           let key = object.keys.first(where: { secretKeys.contains($0.lowercased()) }) {
            throw ConnectorError("data source '\(source.name)': secrets are not stored; put '\(key)' in an environment variable and name it (e.g. password_env)")
        }
        return switch source.type {
        case "files": try FilesConnector(configuration: try decode(FilesConnector.Configuration.self, source))
        case "postgres": try PostgresConnector(configuration: try decode(PostgresConnector.Configuration.self, source), environment: environment)
        case "mysql": try MySQLConnector(configuration: try decode(MySQLConnector.Configuration.self, source), environment: environment)
        case "sqlite": try SQLiteConnector(configuration: try decode(SQLiteConnector.Configuration.self, source))
        case "keboola": try KeboolaConnector(configuration: try decode(KeboolaConnector.Configuration.self, source), environment: environment)
        case "http_json": try HTTPJSONConnector(configuration: try decode(HTTPJSONConnector.Configuration.self, source), environment: environment)
        case "jira": try JiraConnector(configuration: try decode(JiraConnector.Configuration.self, source), environment: environment)
        default: throw ConnectorError("unknown connector type '\(source.type)' (known: \(knownTypes.joined(separator: ", ")))")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ source: DataSource) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(source.config.utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ConnectorError("data source '\(source.name)' (\(source.type)) needs '\(key.stringValue)' in its config")
        } catch {
            throw ConnectorError("data source '\(source.name)' (\(source.type)) has an unreadable config: \(error)")
        }
    }
}
