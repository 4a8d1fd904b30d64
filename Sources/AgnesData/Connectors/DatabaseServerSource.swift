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
        guard let name = table.sourceTable, !name.isEmpty else { throw ConnectorError("table \(table.id): source_table or source_query is needed") }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw ConnectorError("table \(table.id): source_table '\(name)' must be 'table' or '\(namespace).table'")
        }
        let space = parts.count == 2 ? parts[0] : defaultNamespace
        return "SELECT * FROM \(SQL.identifier(alias)).\(SQL.identifier(space)).\(SQL.identifier(parts.last!))"
    }

    /// `message` with `secret` replaced by `***`.
    static func redacting(_ secret: String, in message: String) -> String {
        secret.isEmpty ? message : message.replacingOccurrences(of: secret, with: "***")
    }
}
