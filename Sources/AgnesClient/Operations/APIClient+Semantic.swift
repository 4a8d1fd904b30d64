// The semantic layer and the knowledge search: glossary, semantic models, query validation, one search, and column
// descriptions.
import AgnesAPI
import Foundation

extension APIClient {
    /// `GET /api/knowledge/search`.
    public func searchKnowledge(_ query: String, types: [KnowledgeKind] = [], limit: Int = 10) async throws -> KnowledgeSearchResults {
        try await get("/api/knowledge/search" + Self.query([("q", query), ("limit", String(limit)),
                                                            ("types", types.isEmpty ? nil : types.map(\.rawValue).joined(separator: ","))]))
    }

    /// `GET /api/glossary` or, with a query, `GET /api/glossary/search`.
    public func glossary(search: String? = nil) async throws -> [GlossaryTerm] {
        if let search {
            let found: GlossarySearch = try await get("/api/glossary/search" + Self.query([("q", search), ("limit", "100")]))
            return found.terms
        }
        let list: GlossaryList = try await get("/api/glossary")
        return list.terms
    }

    /// `POST /api/admin/glossary`.
    public func saveGlossaryTerm(_ request: GlossaryTermRequest) async throws -> GlossaryTerm {
        try await send(.POST, "/api/admin/glossary", json: request)
    }

    /// `POST /api/admin/glossary/import`.
    public func importGlossary(_ request: GlossaryImportRequest) async throws -> GlossaryImported {
        try await send(.POST, "/api/admin/glossary/import", json: request)
    }

    /// `DELETE /api/admin/glossary/{id}`.
    public func deleteGlossaryTerm(_ id: String) async throws {
        _ = try await call(.DELETE, "/api/admin/glossary/\(Self.segment(id))")
    }

    /// `GET /api/semantic-models`.
    public func semanticModels() async throws -> SemanticModelList {
        try await get("/api/semantic-models")
    }

    /// `GET /api/semantic-models/search`.
    public func searchSemanticModels(_ query: String) async throws -> SemanticModelList {
        try await get("/api/semantic-models/search" + Self.query([("q", query)]))
    }

    /// `GET /api/semantic-models/{slug}.yaml`: the document as stored.
    public func semanticModelDocument(_ slug: String) async throws -> Data {
        try await call(.GET, "/api/semantic-models/\(Self.segment(slug)).yaml").body
    }

    /// `POST /api/admin/semantic-models`, or `PUT …/{id}` to replace one.
    public func saveSemanticModel(_ request: SemanticModelRequest, replacing id: String? = nil) async throws -> SemanticModel {
        if let id { return try await send(.PUT, "/api/admin/semantic-models/\(Self.segment(id))", json: request) }
        return try await send(.POST, "/api/admin/semantic-models", json: request)
    }

    /// `DELETE /api/admin/semantic-models/{id}`.
    public func deleteSemanticModel(_ id: String) async throws {
        _ = try await call(.DELETE, "/api/admin/semantic-models/\(Self.segment(id))")
    }

    /// `POST /api/semantic-models/validate-query`.
    public func validateQuery(_ request: ValidateQueryRequest) async throws -> QueryValidation {
        try await send(.POST, "/api/semantic-models/validate-query", json: request)
    }

    /// `PUT /api/admin/registry/{id}/columns/{column}`.
    public func describeColumn(table: String, column: String, description: String?) async throws -> ColumnDescribed {
        try await send(.PUT, "/api/admin/registry/\(Self.segment(table))/columns/\(Self.segment(column))",
                       json: ColumnDescriptionRequest(description: description))
    }
}
