// Who may see what: a user's memberships (admin), their effective access (admin, or the caller's own at
// `/api/me/effective-access`): every granted resource with the groups it comes through.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct AccessRoutes {
    let services: ServerServices

    struct EffectiveAccess: ResponseEncodable {
        struct Via: Encodable {
            var groupId: String
            var groupName: String
            enum CodingKeys: String, CodingKey {
                case groupId = "group_id"
                case groupName = "group_name"
            }
        }

        struct Item: Encodable {
            var resourceType: ResourceType
            var resourceId: String
            var viaGroups: [Via]
            enum CodingKeys: String, CodingKey {
                case resourceType = "resource_type"
                case resourceId = "resource_id"
                case viaGroups = "via_groups"
            }
        }

        var userId: String
        var email: String
        var isAdmin: Bool
        var groups: [Via]
        var items: [Item]

        enum CodingKeys: String, CodingKey {
            case email, groups, items
            case userId = "user_id"
            case isAdmin = "is_admin"
        }
    }

    struct AddMembershipRequest: Decodable {
        var groupId: String
        enum CodingKeys: String, CodingKey { case groupId = "group_id" }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/me/effective-access") { _, context in
            let identity = try context.requireIdentity()
            return try await effectiveAccess(of: identity.user, isAdmin: identity.isAdmin)
        }
        router.get("/api/admin/users/{uid}/effective-access") { _, context in
            try context.requireIdentity().requireAdmin()
            let user = try await target(context)
            return try await effectiveAccess(of: user, isAdmin: try await services.users.access(id: user.id)?.isAdmin ?? false)
        }
        router.get("/api/admin/users/{uid}/memberships") { _, context -> [UserMembership] in
            try context.requireIdentity().requireAdmin()
            return try await services.groups.memberships(ofUser: try await target(context).id)
        }
        router.post("/api/admin/users/{uid}/memberships") { request, context in try await addMembership(request, context) }
        router.delete("/api/admin/users/{uid}/memberships/{gid}") { _, context in try await removeMembership(context) }
    }

    func effectiveAccess(of user: User, isAdmin: Bool) async throws -> EffectiveAccess {
        let access = try await services.grants(ofUser: user.id)
        let memberships = access.memberships
        let names = Dictionary(uniqueKeysWithValues: memberships.map { ($0.groupId, $0.groupName) })
        var items: [String: EffectiveAccess.Item] = [:]
        for grant in access.grants {
            let key = "\(grant.resourceType.rawValue)\u{0}\(grant.resourceId)"
            let via = EffectiveAccess.Via(groupId: grant.groupId, groupName: names[grant.groupId] ?? grant.groupId)
            items[key, default: .init(resourceType: grant.resourceType, resourceId: grant.resourceId, viaGroups: [])].viaGroups.append(via)
        }
        return EffectiveAccess(userId: user.id, email: user.email, isAdmin: isAdmin,
                               groups: memberships.map { .init(groupId: $0.groupId, groupName: $0.groupName) },
                               items: items.keys.sorted().map { items[$0]! })
    }

    func addMembership(_ request: Request, _ context: AgnesRequestContext) async throws -> EditedResponse<UserMembership> {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let user = try await target(context)
        let body = try await request.decodeJSON(AddMembershipRequest.self, context: context)
        context.audit.record("group.member_add", resource: "group:\(body.groupId)", params: ["user_id": user.id])
        guard try await services.groups.get(id: body.groupId) != nil else { throw ServiceError.notFound("Group not found") }
        try await MembershipChanges(services: services).add(userId: user.id, groupId: body.groupId, by: identity.user.email)
        let membership = try await services.groups.memberships(ofUser: user.id).first { $0.groupId == body.groupId }
        return EditedResponse(status: .created, response: try membership.orThrow(ServiceError.notFound("Group not found")))
    }

    func removeMembership(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let user = try await target(context)
        let groupId = try context.pathParameter("gid")
        context.audit.record("group.member_remove", resource: "group:\(groupId)", params: ["user_id": user.id])
        try await MembershipChanges(services: services).remove(userId: user.id, groupId: groupId)
        return .noContent
    }

    private func target(_ context: AgnesRequestContext) async throws -> User {
        guard let user = try await services.users.get(id: try context.pathParameter("uid")) else { throw ServiceError.notFound("User not found") }
        return user
    }
}

extension UserMembership: ResponseEncodable {}
