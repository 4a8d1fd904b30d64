// Administration of users over `UserAdministration` (admins only): `/api/users`.
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct UserRoutes {
    let services: ServerServices
    var users: UserAdministration { services.domain.users }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/users") { _, context in try await users.list(for: try context.caller()) }
        router.post("/api/users") { request, context in
            try await users.create(try await request.decodeJSON(CreateUserRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/api/users/{id}") { _, context in try await users.show(try context.pathParameter("id"), for: try context.caller()) }
        router.patch("/api/users/{id}") { request, context in
            let id = try context.pathParameter("id")
            return try await users.update(id, try await request.decodeJSON(UpdateUserRequest.self, context: context), for: try context.caller())
        }
        router.delete("/api/users/{id}") { _, context -> HTTPResponse.Status in
            try await users.delete(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
        router.post("/api/users/{id}/deactivate") { _, context in try await users.setActive(try context.pathParameter("id"), false, for: try context.caller()) }
        router.post("/api/users/{id}/activate") { _, context in try await users.setActive(try context.pathParameter("id"), true, for: try context.caller()) }
        router.post("/api/users/{id}/reset-password") { _, context in
            try await users.resetPassword(try context.pathParameter("id"), for: try context.caller())
        }
        router.post("/api/users/{id}/set-password") { request, context -> HTTPResponse.Status in
            let id = try context.pathParameter("id")
            try await users.setPassword(id, try await request.decodeJSON(SetPasswordRequest.self, context: context), for: try context.caller())
            return .noContent
        }
    }
}
