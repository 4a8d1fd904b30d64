// Where `agnes query` runs (`--scope auto|local|server`, as upstream): locally on the workspace's DuckDB, on the
// server, or — the default — locally first, falling back to the server only when there is no local database yet or
// the query names a table that is not local. Any other local error stays an error: the server is never asked to
// run a query that failed for another reason.
import AgnesAPI
import DuckDB
import Foundation

/// Where a query may run.
public enum QueryScope: String, CaseIterable, Sendable {
    case auto, local, server
}

/// A query's rows, wherever they came from.
public struct ScopedResult {
    public var columns: [String]
    public var rows: [[DuckDBValue]]
    public var truncated: Bool
    /// Why a server's streamed answer stopped short (its time limit, an error after the first rows); nil otherwise.
    public var error: String? = nil
}

public struct ScopedQuery {
    public let workspace: Workspace
    /// The server, when one is configured (required for `server`, and for `auto` to fall back).
    public let api: APIClient?

    public init(workspace: Workspace, api: APIClient?) {
        self.workspace = workspace
        self.api = api
    }

    /// Runs `sql`; `note` gets the lines for standard error as they happen — why the query goes to the server (before
    /// it is sent, so the line is there even when the server refuses it) and the server's row-scope note. With
    /// `autoSnapshot`, a server query over the remote scan cap snapshots the remote tables and runs locally instead.
    public func run(_ sql: String, limit: Int, scope: QueryScope, autoSnapshot: Bool = false, note: (String) -> Void) async throws -> ScopedResult {
        switch scope {
        case .server:
            do {
                return try await remote(sql, limit: limit, note: note)
            } catch let refusal as RemoteScanTooLarge {
                guard autoSnapshot, let api else {
                    throw ClientError(.failure, "\(refusal.description)\nhint: `agnes query --remote --auto-snapshot` snapshots those tables and runs the query locally")
                }
                let local = try await AutoSnapshot(snapshots: Snapshots(api: api, workspace: workspace)).localize(sql, after: refusal, note: note)
                return try self.local(local, limit: limit)
            }
        case .local:
            return try local(sql, limit: limit)
        case .auto:
            guard FileManager.default.fileExists(atPath: workspace.databaseFile.path) else {
                note("[scope] no local data yet — running server-side")
                return try await run(sql, limit: limit, scope: .server, autoSnapshot: autoSnapshot, note: note)
            }
            do {
                return try local(sql, limit: limit)
            } catch let error as ClientError {
                guard let table = Self.missingTable(in: error.message) else { throw error }
                note("[scope] '\(table)' not found locally — running server-side")
                return try await run(sql, limit: limit, scope: .server, autoSnapshot: autoSnapshot, note: note)
            }
        }
    }

    func local(_ sql: String, limit: Int) throws -> ScopedResult {
        let result = try LocalQuery(workspace: workspace).run(sql, limit: limit)
        return ScopedResult(columns: result.columns, rows: result.rows, truncated: result.truncated)
    }

    func remote(_ sql: String, limit: Int, note: (String) -> Void) async throws -> ScopedResult {
        guard let api else { throw ClientError(.usage, "no server is configured: run `agnes init` or `agnes login`, or use --scope local") }
        let result = try await api.query(QueryRequest(sql: sql, limit: limit))
        if let scope = result.rowScope { note("[scope] \(scope.note)") }
        return ScopedResult(columns: result.columns, rows: result.rows.map { $0.map(\.duckDBValue) }, truncated: result.truncated, error: result.error)
    }

    /// The table a DuckDB "does not exist" error names (`Table with name orders does not exist!`).
    static func missingTable(in message: String) -> String? {
        guard let range = message.range(of: #"Table with name ([A-Za-z0-9_."]+) does not exist"#, options: .regularExpression) else { return nil }
        return message[range].replacingOccurrences(of: "Table with name ", with: "").replacingOccurrences(of: " does not exist", with: "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
