// Upstream's named connections (`/api/admin/source-connections`, admins): list, create (201; 409 for a taken name),
// read, replace, delete (409 while a table uses it) and test — over our data sources. The `/secret` routes answer 422:
// this server never stores a secret; the connection names the environment variable that holds it.
import AgnesAPI
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird

struct SourceConnectionRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        let sources = services.domain.sources
        router.get("/api/admin/source-connections") { _, context in try await sources.connections(for: try context.caller()) }
        router.post("/api/admin/source-connections") { request, context in try await save(request, context, id: nil) }
        router.get("/api/admin/source-connections/{id}") { _, context in
            try await sources.connection(try context.pathParameter("id"), for: try context.caller())
        }
        router.put("/api/admin/source-connections/{id}") { request, context in try await save(request, context, id: try context.pathParameter("id")) }
        router.delete("/api/admin/source-connections/{id}") { _, context -> HTTPResponse.Status in
            try await sources.delete(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
        router.post("/api/admin/source-connections/{id}/test") { _, context in
            try await sources.test(try context.pathParameter("id"), for: try context.caller())
        }
        for method in [HTTPRequest.Method.put, .delete] {
            router.on("/api/admin/source-connections/{id}/secret", method: method) { _, context -> Response in
                try context.caller().requireAdmin()
                throw ServiceError(.unprocessableContent, "Secrets are not stored by this server: put the token in the environment variable "
                                   + "the connection's token_env names (and restart), then test the connection")
            }
        }
    }

    private func save(_ request: Request, _ context: AgnesRequestContext, id: String?) async throws -> Response {
        let body = try await request.decodeJSON(SourceConnectionRequest.self, context: context)
        let (connection, created) = try await services.domain.sources.saveConnection(body, id: id, for: try context.caller())
        return try connection.jsonResponse(status: created ? .created : .ok)
    }
}
