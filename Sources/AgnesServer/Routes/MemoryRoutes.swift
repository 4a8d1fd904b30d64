// Corporate memory over `MemoryService` (upstream paths under `/api/memory`); the bundle answers with a strong ETag
// (`If-None-Match` → 304).
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird

struct MemoryRoutes {
    let services: ServerServices
    var memory: MemoryService { services.domain.memory }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/memory") { request, context in
            let parameters = request.uri.queryParameters
            let (page, perPage) = try Self.page(request)
            return try await memory.list(.init(status: parameters.get("status_filter") ?? parameters.get("status"), category: parameters.get("category"),
                                               domain: parameters.get("domain"), tag: parameters.get("tag"),
                                               search: parameters.get("search") ?? parameters.get("q"), page: page, perPage: perPage),
                                         for: try context.caller())
        }
        router.post("/api/memory") { request, context in
            try await memory.propose(try await request.decodeJSON(KnowledgeDraftRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/api/memory/stats") { _, context in try await memory.stats(for: try context.caller()) }
        router.get("/api/memory/bundle") { request, context in
            let body = try JSONCoding.encoder.encode(try await memory.bundle(for: try context.caller(),
                                                                             domain: request.uri.queryParameters.get("domain")))
            return Self.conditional(body, etag: EntityTag.of(body), request)
        }
        router.get("/api/memory/my-votes") { _, context in try await memory.myVotes(for: try context.caller()) }
        router.get("/api/memory/admin/pending") { request, context in
            let (page, perPage) = try Self.page(request)
            return try await memory.pending(category: request.uri.queryParameters.get("category"), page: page, perPage: perPage,
                                            for: try context.caller())
        }
        for action in ReviewAction.allCases {
            router.post("/api/memory/admin/\(action.rawValue)") { request, context in
                guard let id = request.uri.queryParameters.get("item_id") else {
                    throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["query", "item_id"], msg: "Field required")])
                }
                return try await memory.review(id, action, try await request.decodeOptionalJSON(ReviewRequest.self, context: context) ?? ReviewRequest(),
                                               for: try context.caller())
            }
        }
        router.patch("/api/memory/admin/{id}") { request, context in try await edit(request, context) }
        router.get("/api/memory/{id}") { _, context in try await memory.item(try context.pathParameter("id"), for: try context.caller()) }
        router.patch("/api/memory/{id}") { request, context in try await edit(request, context) }
        router.post("/api/memory/{id}/vote") { request, context in
            try await memory.vote(try context.pathParameter("id"), try await request.decodeJSON(VoteRequest.self, context: context),
                                  for: try context.caller())
        }
    }

    func edit(_ request: Request, _ context: AgnesRequestContext) async throws -> KnowledgeListing {
        let id = try context.pathParameter("id")
        return try await memory.edit(id, try await request.decodeJSON(KnowledgeDraftRequest.self, context: context), for: try context.caller())
    }

    /// `page` and `per_page` from the query string (defaults 1 and 50); 400 when they are not integers.
    static func page(_ request: Request) throws -> (page: Int, perPage: Int) {
        let parameters = request.uri.queryParameters
        guard let page = Int(parameters.get("page") ?? "1") else { throw ServiceError.badRequest("page must be a positive integer") }
        guard let perPage = Int(parameters.get("per_page") ?? "\(MemoryService.defaultPageSize)") else {
            throw ServiceError.badRequest("per_page must be between 1 and \(MemoryService.maximumPageSize)")
        }
        return (page, perPage)
    }

    /// 304 when `If-None-Match` names `etag`, else the body with its ETag.
    static func conditional(_ body: Data, etag: String, _ request: Request) -> Response {
        if request.isCurrent(etag) { return Response(status: .notModified, headers: [.eTag: etag]) }
        var response = body.response(status: .ok)
        response.headers[.eTag] = etag
        return response
    }
}
