// `/api/admin/mcp/clients`: the MCP clients registered through OAuth, who authorized them and when each was last used,
// and revoking a client's tokens — over `MCPAuthorization`, as the web page `/admin/mcp`.
import AgnesAPI
import AgnesDomain
import Hummingbird

struct MCPClientRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/mcp/clients") { _, context in
            try await services.domain.mcpAuthorization.clients(for: try context.caller())
        }
        router.post("/api/admin/mcp/clients/{id}/revoke") { _, context in
            try await services.domain.mcpAuthorization.revokeClient(try context.pathParameter("id"), for: try context.caller())
        }
    }
}
