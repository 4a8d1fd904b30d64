// Personal access tokens over `TokenService`: `/auth/tokens` (one's own) and `/auth/admin/tokens` (everyone's).
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct TokenRoutes {
    let services: ServerServices
    var tokens: TokenService { services.tokenService }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/auth/tokens") { request, context in
            try await tokens.create(try await request.decodeJSON(CreateTokenRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/auth/tokens") { _, context in try await tokens.mine(for: try context.caller()) }
        router.get("/auth/tokens/{id}") { _, context in try await tokens.mine(try context.pathParameter("id"), for: try context.caller()) }
        router.delete("/auth/tokens/{id}") { _, context -> HTTPResponse.Status in
            try await tokens.revokeMine(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
        router.get("/auth/admin/tokens") { _, context in try await tokens.all(for: try context.caller()) }
        router.delete("/auth/admin/tokens/{id}") { _, context -> HTTPResponse.Status in
            try await tokens.revokeAny(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
    }
}
