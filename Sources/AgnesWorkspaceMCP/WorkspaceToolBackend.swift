// The shared MCP tools in `agnes mcp`, answered by the server's REST API with the workspace's token: the server applies
// the same grants, policies, caps and audit as for any CLI call. Each request is labelled with the tool and the MCP
// client's name (`X-Agnes-MCP-Tool`, `X-Agnes-MCP-Client`), which the server's audit entry carries.
import AgnesAPI
import AgnesCore
import AgnesClient
import AgnesMCP
import Foundation

/// The shared tools over the REST API.
public struct WorkspaceToolBackend: AgnesToolBackend {
    let base: APIClient

    public init(api: APIClient) {
        base = api
    }

    /// The client, with the labels of the tool call in progress.
    var api: APIClient {
        var api = base
        if let label = ToolCallLabel.current {
            api.headers = [("X-Agnes-MCP-Tool", label.tool), ("X-Agnes-MCP-Client", label.client ?? "")]
        }
        return api
    }

    public func serverInfo() async throws -> AgnesServerInfo {
        let access = try await refusing { try await api.myEffectiveAccess() }
        let health = try? await api.health()
        return AgnesServerInfo(serverURL: base.baseURL, serverVersion: health?.health?.version ?? "unknown", userEmail: access.email, isAdmin: access.isAdmin,
                               groups: access.groups.map(\.groupName).sorted(), credential: access.credential ?? "full", transport: "stdio")
    }

    public func catalog() async throws -> Catalog { try await refusing { try await api.catalog() } }
    public func schema(_ table: String) async throws -> TableSchema { try await refusing { try await api.schema(of: table) } }
    public func sample(_ table: String, rows: Int) async throws -> TableSample { try await refusing { try await api.sample(of: table, rows: rows) } }

    public func query(_ sql: String, limit: Int) async throws -> QueryResult {
        try await refusing { try await api.query(QueryRequest(sql: sql, limit: limit)) }
    }

    public func countRows(_ sql: String) async throws -> Int64 {
        let result = try await refusing { try await api.query(QueryRequest(sql: QueryCounting.sql(counting: sql), limit: 1)) }
        guard case let .integer(count)? = result.rows.first?.first else { throw ToolError("the row count is not a number") }
        return count
    }

    public func searchKnowledge(_ text: String, types: [KnowledgeKind], limit: Int) async throws -> KnowledgeSearchResults {
        try await refusing { try await api.searchKnowledge(text, types: types, limit: limit) }
    }

    public func searchGlossary(_ text: String) async throws -> [GlossaryTerm] { try await refusing { try await api.glossary(search: text) } }

    public func searchSemanticModels(_ text: String) async throws -> SemanticModelList {
        try await refusing { try await api.searchSemanticModels(text) }
    }

    public func semanticModelDocument(_ slug: String) async throws -> String {
        try await refusing { String(decoding: try await api.semanticModelDocument(slug), as: UTF8.self) }
    }

    public func validateQuery(_ request: ValidateQueryRequest) async throws -> QueryValidation {
        try await refusing { try await api.validateQuery(request) }
    }

    public func estimateScan(_ request: ScanRequest) async throws -> ScanEstimate { try await refusing { try await api.estimateScan(request) } }
    public func metrics(category: String?) async throws -> MetricList { try await refusing { try await api.metrics(category: category) } }
    public func metric(_ id: String) async throws -> MetricDefinition { try await refusing { try await api.metric(id) } }

    public func memoryRules() async throws -> MemoryBundle {
        try await refusing {
            guard case let .bundle(bundle, _) = try await api.memoryBundle(ifNoneMatch: nil) else { throw ToolError("this server offers no memory bundle") }
            return bundle
        }
    }

    public func propose(_ draft: KnowledgeDraftRequest) async throws -> KnowledgeListing { try await refusing { try await api.propose(draft) } }

    public func browseStack(_ type: StackItemType) async throws -> StackListing { try await refusing { try await api.stack(browse: true, type: type) } }

    public func subscribe(_ type: StackItemType, _ id: String) async throws { _ = try await refusing { try await api.subscribe(type, id) } }
}

/// Runs a client call; a `ClientError` becomes a tool error with its message (the server's detail).
func refusing<T>(_ work: () async throws -> T) async throws -> T {
    do { return try await work() } catch let error as ClientError { throw ToolError(error.message) } catch let refusal as RemoteScanTooLarge {
        throw ToolError(refusal.description)
    }
}
