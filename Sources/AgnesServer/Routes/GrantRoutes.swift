// Resource grants over `AccessAdministration` (admins only): `/api/admin/grants` and `/api/admin/resource-types`.
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct GrantRoutes {
    let services: ServerServices
    var admin: AccessAdministration { services.domain.accessAdmin }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/grants") { request, context in
            try await admin.grants(resourceType: request.uri.queryParameters.get("resource_type"), groupId: request.uri.queryParameters.get("group_id"),
                                   for: try context.caller())
        }
        router.post("/api/admin/grants") { request, context in
            try await admin.grant(try await request.decodeJSON(CreateGrantRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.delete("/api/admin/grants/{id}") { _, context -> HTTPResponse.Status in
            try await admin.revoke(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
        router.get("/api/admin/resource-types") { _, context in try admin.resourceTypes(for: try context.caller()) }
    }
}
