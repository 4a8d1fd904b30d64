// Groups and their members over `AccessAdministration` (admins only): `/api/admin/groups`.
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct GroupRoutes {
    let services: ServerServices
    var admin: AccessAdministration { services.domain.accessAdmin }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/groups") { _, context in try await admin.groups(for: try context.caller()) }
        router.post("/api/admin/groups") { request, context in
            try await admin.createGroup(try await request.decodeJSON(GroupRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/api/admin/groups/{gid}") { _, context in try await admin.group(try context.pathParameter("gid"), for: try context.caller()) }
        router.patch("/api/admin/groups/{gid}") { request, context in
            let id = try context.pathParameter("gid")
            return try await admin.updateGroup(id, try await request.decodeJSON(GroupRequest.self, context: context), for: try context.caller())
        }
        router.delete("/api/admin/groups/{gid}") { _, context -> HTTPResponse.Status in
            try await admin.deleteGroup(try context.pathParameter("gid"), for: try context.caller())
            return .noContent
        }
        router.get("/api/admin/groups/{gid}/members") { _, context in try await admin.members(of: try context.pathParameter("gid"), for: try context.caller()) }
        router.post("/api/admin/groups/{gid}/members") { request, context in
            let id = try context.pathParameter("gid")
            return try await admin.addMember(to: id, try await request.decodeJSON(AddMemberRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.delete("/api/admin/groups/{gid}/members/{uid}") { _, context -> HTTPResponse.Status in
            try await admin.removeMember(try context.pathParameter("uid"), from: try context.pathParameter("gid"), for: try context.caller())
            return .noContent
        }
    }
}
