// Data sources over `SourceService` (admins): `/api/admin/sources`.
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct SourceRoutes {
    let services: ServerServices
    var sources: SourceService { services.domain.sources }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/sources") { _, context in try await sources.list(for: try context.caller()) }
        router.post("/api/admin/sources") { request, context in try await save(request, context, name: nil) }
        router.put("/api/admin/sources/{name}") { request, context in try await save(request, context, name: try context.pathParameter("name")) }
        router.post("/api/admin/sources/{name}/test") { _, context in try await sources.test(try context.pathParameter("name"), for: try context.caller()) }
        router.get("/api/admin/sources/{name}/tables") { _, context in
            try await sources.tables(of: try context.pathParameter("name"), for: try context.caller())
        }
        router.delete("/api/admin/sources/{name}") { _, context -> HTTPResponse.Status in
            try await sources.delete(try context.pathParameter("name"), for: try context.caller())
            return .noContent
        }
    }

    private func save(_ request: Request, _ context: AgnesRequestContext, name: String?) async throws -> Response {
        let saved = try await sources.save(try await request.decodeJSON(SourceRequest.self, context: context), name: name, for: try context.caller())
        return try saved.source.jsonResponse(status: saved.created ? .created : .ok)
    }
}
