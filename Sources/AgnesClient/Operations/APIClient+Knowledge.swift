// Corporate memory and metric definitions: list, propose, vote and review items; read, import, export and validate
// metrics.
import AgnesAPI
import Foundation

extension APIClient {
    /// `GET /api/memory`: a page of items, filtered or searched.
    public func memory(search: String? = nil, status: String? = nil, category: String? = nil, domain: String? = nil, tag: String? = nil,
                       page: Int = 1, perPage: Int = 50) async throws -> MemoryPage {
        try await get("/api/memory" + Self.query([("search", search), ("status_filter", status), ("category", category), ("domain", domain),
                                                ("tag", tag), ("page", String(page)), ("per_page", String(perPage))]))
    }

    /// `GET /api/memory/{id}`.
    public func memoryItem(_ id: String) async throws -> KnowledgeListing {
        try await get("/api/memory/\(Self.segment(id))")
    }

    /// `POST /api/memory`: proposes an item.
    public func propose(_ request: KnowledgeDraftRequest) async throws -> KnowledgeListing {
        try await send(.POST, "/api/memory", json: request)
    }

    /// `POST /api/memory/{id}/vote`: 1, -1 or 0 (withdraw).
    public func vote(_ id: String, _ vote: Int) async throws -> VoteResult {
        try await send(.POST, "/api/memory/\(Self.segment(id))/vote", json: VoteRequest(vote: vote))
    }

    /// `POST /api/memory/admin/{action}?item_id=`.
    public func review(_ id: String, _ action: ReviewAction, _ request: ReviewRequest) async throws -> ReviewResult {
        try await send(.POST, "/api/memory/admin/\(action.rawValue)" + Self.query([("item_id", id)]), json: request)
    }

    /// `GET /api/metrics`.
    public func metrics(category: String? = nil) async throws -> MetricList {
        try await get("/api/metrics" + Self.query([("category", category)]))
    }

    /// `GET /api/metrics/{category}/{name}`; `id` is `<category>/<name>`.
    public func metric(_ id: String) async throws -> MetricDefinition {
        try await get("/api/metrics/" + id.split(separator: "/", omittingEmptySubsequences: false).map { Self.segment(String($0)) }.joined(separator: "/"))
    }

    /// `POST /api/admin/metrics/import`.
    public func importMetrics(_ files: [MetricFile]) async throws -> MetricsImported {
        try await send(.POST, "/api/admin/metrics/import", json: MetricFiles(files: files))
    }

    /// `GET /api/admin/metrics/export`.
    public func exportMetrics() async throws -> MetricFiles {
        try await get("/api/admin/metrics/export")
    }

    /// `POST /api/admin/metrics/validate`.
    public func validateMetrics() async throws -> MetricValidation {
        try await call(.POST, "/api/admin/metrics/validate", timeout: .minutes(2)).decode()
    }
}
