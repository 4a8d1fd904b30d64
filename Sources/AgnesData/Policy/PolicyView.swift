// The one definition of a policied table's rows: the policy's body over the raw rows, which it sees as CTEs named by
// the table ids it reads — its own table and its mapping tables — so the raw rows are never a catalog object a query
// could name. Grant scopes make it a view; snapshot scans read it as their relation.
import AgnesState
import DuckDB
import Foundation

public enum PolicyView {
    /// `WITH "<id>" AS (<rows>), … SELECT * FROM (<body>)`: `tables` are the policied table first, then its mapping tables,
    /// each with a SELECT of its raw rows.
    public static func sql(_ policy: PreparedPolicy, tables: [(id: String, rows: String)]) -> String {
        let definitions = tables.map { "\(SQL.identifier($0.id)) AS (\($0.rows))" }
        return "WITH \(definitions.joined(separator: ", ")) SELECT * FROM (\(policy.body)) AS agnes_policy"
    }

    /// The raw rows of parquet `files` (an empty table before the first rows arrive).
    public static func parquetRows(_ files: [String]) -> String {
        files.isEmpty
            ? "SELECT NULL AS no_rows_yet WHERE false"
            : "SELECT * FROM read_parquet([\(files.map(SQL.literal).joined(separator: ", "))], union_by_name = true)"
    }
}

/// What a snapshot scan reads: a relation, the files it may open, the caller whose values a policy binds, and for a
/// remote table the source to attach (its rows are read live, the projection and filter pushed down to it).
public struct ScanSource: Sendable {
    public let relation: String
    public let files: [String]
    public let caller: PolicyCaller?
    /// A remote table's source and the alias its relation names.
    public var remote: (source: DataSource, alias: String)? = nil

    public init(relation: String, files: [String], caller: PolicyCaller?) {
        self.relation = relation
        self.files = files
        self.caller = caller
    }

    /// The raw rows of a table's parquet files.
    public static func files(_ files: [String]) -> ScanSource {
        ScanSource(relation: "(\(PolicyView.parquetRows(files)))", files: files, caller: nil)
    }

    /// The rows of a remote table, read from `source` attached as `alias` (`select` is the engine's relation).
    public static func remote(_ source: DataSource, alias: String, select: String) -> ScanSource {
        var scan = ScanSource(relation: "(\(select))", files: [], caller: nil)
        scan.remote = (source, alias)
        return scan
    }

    /// Attaches a remote source on `connection` (before its configuration is locked); nothing for files.
    public func prepare(_ connection: Connection) throws {
        guard let remote else { return }
        guard let connector = try Connectors.make(remote.source) as? any RemoteConnector else {
            throw ConnectorError("data source '\(remote.source.name)' (\(remote.source.type)) cannot serve tables in remote mode")
        }
        try connector.attach(connection, as: remote.alias)
    }
}

extension QueryEngine {
    /// The scan source of table `id` (stored in `files`) as `caller` sees it through the table's policy; nil when the
    /// table has no policy. Throws `PolicyRejection` when the policy cannot be applied or reads a table that is not
    /// stored as parquet here.
    public func policiedScanSource(of id: String, files: [String], for caller: PolicyCaller) throws -> ScanSource? {
        switch policy(of: id) {
        case .none: return nil
        case .broken: throw PolicyRejection("policy_error", "the access policy of table '\(id)' cannot be applied; an administrator can see why in the registry")
        case let .applied(policy):
            var tables = [(id: id, rows: PolicyView.parquetRows(files))]
            var allFiles = files
            for name in policy.mapping where name.lowercased() != id {
                guard let mapped = self.tables[name.lowercased()], case let .parquet(mappedFiles) = mapped.rows else {
                    throw PolicyRejection("policy_unsupported_on_scan", "the policy of '\(id)' reads '\(name)', which is not stored here: query it instead")
                }
                tables.append((id: mapped.id, rows: PolicyView.parquetRows(mappedFiles)))
                allFiles += mappedFiles
            }
            return ScanSource(relation: "(\(PolicyView.sql(policy, tables: tables)))", files: allFiles, caller: caller)
        }
    }
}
