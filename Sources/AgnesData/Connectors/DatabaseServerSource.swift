// What the connectors to database servers (PostgreSQL, MySQL) share: connection settings that can go into a DuckDB
// secret as they are, the password read from the environment variable the source names (never stored), and the
// relation that reads a registered table from the attached database.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

enum DatabaseServerSource {
    /// A setting that is not empty, not too long, and holds no control character or quote.
    static func isPlain(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 255 && !text.unicodeScalars.contains { $0.value < 0x20 || $0 == "'" }
    }

    /// The password in the variable `name` (empty when the source names none); `kind` names the connector in errors.
    static func password(from name: String?, in environment: [String: String], kind: String) throws -> String {
        guard let name else { return "" }
        guard let value = environment[name] else { throw ConnectorError("\(kind): the environment variable \(name) (password_env) is not set") }
        return value
    }

    /// The rows of `table` in the database attached as `alias`: its `source_query` run by the server (through
    /// `queryFunction`), or its `source_table`, `name` or `<namespace>.name` (`namespace` names the schema or database
    /// it defaults to).
    static func relation(for table: RegisteredTable, alias: String, queryFunction: String, namespace: String, defaultNamespace: String) throws -> String {
        if let query = table.sourceQuery, !query.isEmpty {
            return "SELECT * FROM \(queryFunction)(\(SQL.literal(alias)), \(SQL.literal(query)))"
        }
        let (space, name) = try qualifiedName(of: table, namespace: namespace, defaultNamespace: defaultNamespace)
        return "SELECT * FROM \(SQL.identifier(alias)).\(SQL.identifier(space)).\(SQL.identifier(name))"
    }

    /// The schema (or database) and name of the table `table` reads; nil for a `source_query` table.
    static func qualifiedName(of table: RegisteredTable, namespace: String, defaultNamespace: String) throws -> (space: String, name: String) {
        guard let name = table.sourceTable, !name.isEmpty else { throw ConnectorError("table \(table.id): source_table or source_query is needed") }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw ConnectorError("table \(table.id): source_table '\(name)' must be 'table' or '\(namespace).table'")
        }
        return (parts.count == 2 ? parts[0] : defaultNamespace, parts.last!)
    }

    /// One row of size statistics the database server answers to `query` (run by the server itself through
    /// `queryFunction`): `kind` (a view answers none), `row_estimate` (negative: never counted) and `bytes`.
    static func size(query: String, alias: String, queryFunction: String, on connection: Connection, isView: (String) -> Bool) throws -> RemoteTableSize? {
        struct Statistics: Decodable {
            let kind: String?
            let rowEstimate: Int64?
            let bytes: Int64?
            enum CodingKeys: String, CodingKey { case kind, bytes, rowEstimate = "row_estimate" }
        }
        let row = try connection.query("SELECT * FROM \(queryFunction)(\(SQL.literal(alias)), \(SQL.literal(query)))").decodeFirst(Statistics.self)
        guard let row, let kind = row.kind, !isView(kind), let bytes = row.bytes else { return nil }
        return RemoteTableSize(bytes: bytes, rows: row.rowEstimate.flatMap { $0 < 0 ? nil : $0 })
    }

    /// `message` with `secret` replaced by `***`.
    static func redacting(_ secret: String, in message: String) -> String {
        secret.isEmpty ? message : message.replacingOccurrences(of: secret, with: "***")
    }
}
