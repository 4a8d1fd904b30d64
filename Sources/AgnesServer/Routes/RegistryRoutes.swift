// The table registry over `RegistryService` (admins): `/api/admin/registry`, `/api/admin/register-table`.
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct RegistryRoutes {
    let services: ServerServices
    var registry: RegistryService { services.domain.registry }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/registry") { _, context in try await registry.list(for: try context.caller()) }
        router.post("/api/admin/register-table") { request, context in
            try await registry.register(try await request.decodeJSON(TableFields.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.post("/api/admin/register-table/precheck") { request, context in
            try await registry.precheck(try await request.decodeJSON(TableFields.self, context: context), for: try context.caller())
        }
        router.put("/api/admin/registry/{id}") { request, context in
            let id = try context.pathParameter("id")
            return try await registry.update(id, try await request.decodeJSON(TableFields.self, context: context), for: try context.caller())
        }
        router.post("/api/admin/registry/{id}/policy/preview") { request, context in
            let id = try context.pathParameter("id")
            return try await services.domain.policies.preview(id, try await request.decodeJSON(PolicyPreviewRequest.self, context: context),
                                                              for: try context.caller())
        }
        router.post("/api/admin/registry/{id}/policy/compile") { request, context in
            let id = try context.pathParameter("id")
            return try await services.domain.policies.compile(id, try await request.decodeJSON(PolicyCompileRequest.self, context: context),
                                                              for: try context.caller())
        }
        router.delete("/api/admin/registry/{id}") { _, context -> HTTPResponse.Status in
            try await registry.unregister(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
    }
}
