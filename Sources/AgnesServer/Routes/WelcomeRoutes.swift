// The workspace `CLAUDE.md` over `WorkspaceService`: `GET /api/welcome?server_url=` and `/api/admin/welcome-template`.
import AgnesAPI
import AgnesDomain
import Hummingbird

struct WelcomeRoutes {
    let services: ServerServices
    var workspace: WorkspaceService { services.domain.workspace }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/welcome") { request, context in
            try await workspace.welcome(serverURL: request.uri.queryParameters.get("server_url"), for: try context.caller())
        }
        router.get("/api/admin/welcome-template") { _, context in try await workspace.template(for: try context.caller()) }
        router.put("/api/admin/welcome-template") { request, context in
            try await workspace.replaceTemplate(try await request.decodeJSON(TextContent.self, context: context), for: try context.caller())
        }
        router.delete("/api/admin/welcome-template") { _, context in try await workspace.resetTemplate(for: try context.caller()) }
    }
}
