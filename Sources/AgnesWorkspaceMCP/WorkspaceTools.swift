// The tools only `agnes mcp` has, over the local workspace: read-only SQL on its DuckDB (`query_local`), `pull`, and
// `snapshot_create`. Each does what the CLI command of the same name does, through the same code.
import AgnesAPI
import AgnesClient
import AgnesMCP
import Foundation

/// The workspace tools' handlers.
public struct WorkspaceTools: Sendable {
    public let backend: WorkspaceToolBackend
    public let workspace: Workspace
    public let caps: ToolCaps

    public init(backend: WorkspaceToolBackend, workspace: Workspace, caps: ToolCaps) {
        self.backend = backend
        self.workspace = workspace
        self.caps = caps
    }

    /// The handlers, by tool name.
    public var handlers: [String: ToolHandler] {
        [
            AgnesTool.queryLocal(caps).name: { arguments in try await queryLocal(arguments) },
            AgnesTool.pull.name: { _ in try await pull() },
            AgnesTool.snapshotCreate.name: { arguments in try await createSnapshot(arguments) },
        ]
    }

    /// The toolbox of `agnes mcp`: the shared tools over the REST API plus these.
    public var toolbox: AgnesToolbox {
        AgnesToolbox(backend: backend, caps: caps, workspaceTools: handlers,
                     remedy: "To get the rest, narrow the query (filter, aggregate, LIMIT … OFFSET …), or fetch the slice with "
                         + "`snapshot_create` and query it with `query_local`.")
    }

    func queryLocal(_ arguments: ToolArguments) async throws -> ToolOutput {
        let sql = LocalQuery.statement(try arguments.string("sql"))
        let limit = try arguments.integer("limit", default: caps.defaultRows, in: 1...caps.maximumRows)
        guard LocalQuery.isSelect(sql) else { throw ToolError("query_local runs one read-only query (SELECT, WITH, FROM, VALUES)") }
        let local = LocalQuery(workspace: workspace)
        let (columns, values, truncated) = try refusingLocally { try local.run(sql, limit: limit) }
        let result = QueryResult(columns: columns, rows: values.map { $0.map(ResultCell.init) }, rowCount: values.count, truncated: truncated)
        return await ToolOutput.query(result, limit: limit, caps: caps, remedy: "To get the rest, narrow the query (filter, aggregate, "
                                      + "LIMIT … OFFSET …).") {
            guard case let .integer(count)? = (try? local.run(QueryCounting.sql(counting: sql), limit: 1))?.rows.first?.first.map(ResultCell.init)
            else { return nil }
            return count
        }
    }

    func pull() async throws -> ToolOutput {
        let summary = try await refusing { try await Puller(api: backend.api, workspace: workspace).pull() }
        let changed = summary.tablesUpdated.isEmpty && summary.tablesRemoved.isEmpty
            ? "nothing changed" : "updated \(summary.tablesUpdated.count) (\(summary.tablesUpdated.joined(separator: ", "))), removed \(summary.tablesRemoved.count)"
        let problems = summary.errors.map { "\($0.table): \($0.error)" } + summary.warnings
        return try .encoding(summary, text: "Pulled \(summary.tablesTotal) tables: \(changed)"
                             + (problems.isEmpty ? "." : "; problems: \(problems.joined(separator: "; "))"))
    }

    func createSnapshot(_ arguments: ToolArguments) async throws -> ToolOutput {
        let request = try ScanRequest(arguments)
        let name = try arguments.string("name")
        let draft = Snapshot(name: name, tableId: request.tableId, select: request.select, where: request.where, orderBy: request.orderBy,
                             limit: request.limit, createdAt: Date(), rows: 0, bytes: 0)
        let snapshot = try await refusing {
            try await Snapshots(api: backend.api, workspace: workspace).create(draft, replace: try arguments.bool("replace", default: false))
        }
        return try .encoding(snapshot, text: "Snapshot \(snapshot.name) of \(snapshot.tableId): \(snapshot.rows.formatted()) rows "
                             + "(\(ByteCountFormatter.string(fromByteCount: snapshot.bytes, countStyle: .binary))); query it with "
                             + "query_local as `SELECT … FROM \(snapshot.name)`.")
    }
}

/// Runs local work; a `ClientError` becomes a tool error with its message.
func refusingLocally<T>(_ work: () throws -> T) throws -> T {
    do { return try work() } catch let error as ClientError { throw ToolError(error.message) }
}
