// The MCP tools on the server answered by the same use cases as the HTTP API, for the caller of the request: grants,
// access policies, the query guard, caps, time limits and the audit facts all hold without a second implementation.
import AgnesAPI
import AgnesCore
import AgnesDomain
import AgnesMCP
import AgnesState
import Foundation

/// The shared tools over the domain, for one caller.
struct DomainToolBackend: AgnesToolBackend {
    let domain: Domain
    let caller: Caller
    /// A caller like `caller` whose audit facts are not kept (for the row count behind a cut result).
    let uncountedCaller: @Sendable () -> Caller
    let serverURL: String

    func serverInfo() async throws -> AgnesServerInfo {
        let identity = caller.identity
        let groups = try await refusing { try await domain.grants(ofUser: identity.user.id).memberships.map(\.groupName).sorted() }
        return AgnesServerInfo(serverURL: serverURL, serverVersion: AgnesVersion.current, userEmail: identity.user.email, isAdmin: identity.isAdmin,
                               groups: groups, credential: identity.surface.rawValue, transport: "http")
    }

    func catalog() async throws -> Catalog {
        try await refusing { try await domain.catalog.catalog(for: caller) }
    }

    func schema(_ table: String) async throws -> TableSchema {
        try await refusing { try await domain.catalog.schema(table, for: caller) }
    }

    func sample(_ table: String, rows: Int) async throws -> TableSample {
        try await refusing { try await domain.catalog.sample(table, rows: rows, for: caller) }
    }

    func query(_ sql: String, limit: Int) async throws -> QueryResult {
        try await refusing { try await domain.query.run(QueryRequest(sql: sql, limit: limit), for: caller) }
    }

    func countRows(_ sql: String) async throws -> Int64 {
        let result = try await refusing { try await domain.query.run(QueryRequest(sql: QueryCounting.sql(counting: sql), limit: 1), for: uncountedCaller()) }
        guard case let .integer(count)? = result.rows.first?.first else { throw ToolError("the row count is not a number") }
        return count
    }

    func searchKnowledge(_ text: String, types: [KnowledgeKind], limit: Int) async throws -> KnowledgeSearchResults {
        try await refusing { try await domain.knowledge.search(text, types: types.isEmpty ? nil : Set(types), limit: limit, for: caller) }
    }

    func searchGlossary(_ text: String) async throws -> [GlossaryTerm] {
        try await refusing { try await domain.semantic.searchGlossary(text, limit: 20, for: caller).terms }
    }

    func searchSemanticModels(_ text: String) async throws -> SemanticModelList {
        try await refusing { try await domain.semantic.searchModels(text, limit: 20, for: caller) }
    }

    func semanticModelDocument(_ slug: String) async throws -> String {
        try await refusing { String(decoding: try await domain.semantic.document(slug, for: caller), as: UTF8.self) }
    }

    func validateQuery(_ request: ValidateQueryRequest) async throws -> QueryValidation {
        try await refusing { try await domain.semantic.validate(request, for: caller) }
    }

    func estimateScan(_ request: ScanRequest) async throws -> ScanEstimate {
        try await refusing { try await domain.scans.estimate(request, for: caller) }
    }

    func metrics(category: String?) async throws -> MetricList {
        try await refusing { try await domain.metrics.list(category: category, for: caller) }
    }

    func metric(_ id: String) async throws -> MetricDefinition {
        try await refusing { try await domain.metrics.metric(id, for: caller) }
    }

    func memoryRules() async throws -> MemoryBundle {
        try await refusing { try await domain.memory.bundle(for: caller) }
    }

    func propose(_ draft: KnowledgeDraftRequest) async throws -> KnowledgeListing {
        try await refusing { try await domain.memory.propose(draft, for: caller) }
    }

    func browseStack(_ type: StackItemType) async throws -> StackListing {
        try await refusing { try await domain.stack.listing(type: type.rawValue, browse: true, for: caller) }
    }

    func subscribe(_ type: StackItemType, _ id: String) async throws {
        _ = try await refusing { try await domain.stack.subscribe(StackSubscribeRequest(resourceType: type.rawValue, resourceId: id), for: caller) }
    }

    /// Runs a use case; its refusal becomes a tool error with the same detail the HTTP API answers, and any other
    /// failure one naming the request (its cause goes to the log, not to the model).
    private func refusing<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as ServiceError where error.status != .internalServerError {
            throw ToolError(error.detail)
        } catch let error as StateError {
            switch error {
            case .notFound, .conflict, .forbidden, .invalid: throw ToolError(error.description)
            default: throw internalFailure(error)
            }
        } catch {
            throw internalFailure(error)
        }
    }

    private func internalFailure(_ error: any Error) -> ToolError {
        domain.logger.error("MCP tool failed", metadata: ["request_id": .string(caller.requestId), "error": .string(String(describing: error))])
        return ToolError("Internal server error (request \(caller.requestId))")
    }
}
