// Who may see what, over `AccessAdministration`: a user's memberships (admins), and effective access (admins, or the
// caller's own at `/api/me/effective-access`).
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct AccessRoutes {
    let services: ServerServices
    var admin: AccessAdministration { services.domain.accessAdmin }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/me/effective-access") { _, context in try await admin.myEffectiveAccess(for: try context.caller()) }
        router.get("/api/admin/users/{uid}/effective-access") { _, context in
            try await admin.effectiveAccess(ofUser: try context.pathParameter("uid"), for: try context.caller())
        }
        router.get("/api/admin/users/{uid}/memberships") { _, context in
            try await admin.memberships(ofUser: try context.pathParameter("uid"), for: try context.caller())
        }
        router.post("/api/admin/users/{uid}/memberships") { request, context in
            let id = try context.pathParameter("uid")
            return try await admin.addMembership(ofUser: id, try await request.decodeJSON(AddMembershipRequest.self, context: context),
                                                 for: try context.caller()).jsonResponse(status: .created)
        }
        router.delete("/api/admin/users/{uid}/memberships/{gid}") { _, context -> HTTPResponse.Status in
            try await admin.removeMembership(ofUser: try context.pathParameter("uid"), groupId: try context.pathParameter("gid"), for: try context.caller())
            return .noContent
        }
    }
}
