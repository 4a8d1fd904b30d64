// Groups and their members (admin only). System groups (`Admin`, `Everyone`) cannot be renamed or deleted; the
// API adds and removes only memberships it owns (source `admin`), and never the last active administrator.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct GroupRoutes {
    let services: ServerServices

    struct CreateRequest: Decodable {
        var name: String
        var description: String?
    }

    struct UpdateRequest: Decodable {
        var name: String?
        var description: String?
    }

    struct AddMemberRequest: Decodable { var email: String }

    /// A group as the API shows it.
    struct GroupResponse: ResponseEncodable {
        var summary: GroupSummary

        enum CodingKeys: String, CodingKey {
            case id, name, description, origin
            case isSystem = "is_system"
            case createdAt = "created_at"
            case createdBy = "created_by"
            case memberCount = "member_count"
            case grantCount = "grant_count"
            case isGoogleManaged = "is_google_managed"
            case mappedEmail = "mapped_email"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(summary.id, forKey: .id)
            try container.encode(summary.name, forKey: .name)
            try container.encode(summary.description, forKey: .description)
            try container.encode(summary.isSystem ? "system" : "custom", forKey: .origin)
            try container.encode(summary.isSystem, forKey: .isSystem)
            try container.encode(summary.createdAt, forKey: .createdAt)
            try container.encode(summary.createdBy, forKey: .createdBy)
            try container.encode(summary.memberCount, forKey: .memberCount)
            try container.encode(summary.grantCount, forKey: .grantCount)
            try container.encode(false, forKey: .isGoogleManaged)
            try container.encodeNil(forKey: .mappedEmail)
        }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/groups") { _, context in try await list(context) }
        router.post("/api/admin/groups") { request, context in try await create(request, context) }
        router.get("/api/admin/groups/{gid}") { _, context in try await show(context) }
        router.patch("/api/admin/groups/{gid}") { request, context in try await update(request, context) }
        router.delete("/api/admin/groups/{gid}") { _, context in try await delete(context) }
        router.get("/api/admin/groups/{gid}/members") { _, context in try await members(context) }
        router.post("/api/admin/groups/{gid}/members") { request, context in try await addMember(request, context) }
        router.delete("/api/admin/groups/{gid}/members/{uid}") { _, context in try await removeMember(context) }
    }

    func list(_ context: AgnesRequestContext) async throws -> [GroupResponse] {
        try context.requireIdentity().requireAdmin()
        return try await services.groups.summaries().map(GroupResponse.init)
    }

    func show(_ context: AgnesRequestContext) async throws -> GroupResponse {
        try context.requireIdentity().requireAdmin()
        return GroupResponse(summary: try await summary(try context.pathParameter("gid")))
    }

    func create(_ request: Request, _ context: AgnesRequestContext) async throws -> EditedResponse<GroupResponse> {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        context.audit.record("group.create", params: ["name": name])
        guard !name.isEmpty else { throw ServiceError.badRequest("Group name is required") }
        let group: Group
        do {
            group = try await services.groups.create(name: name, description: body.description, createdBy: identity.user.email)
        } catch StateError.conflict {
            throw ServiceError.conflict("Group '\(name)' already exists")
        }
        context.audit.record("group.create", resource: "group:\(group.id)")
        return EditedResponse(status: .created, response: GroupResponse(summary: try await summary(group.id)))
    }

    func update(_ request: Request, _ context: AgnesRequestContext) async throws -> GroupResponse {
        try context.requireIdentity().requireAdmin()
        let current = try await summary(try context.pathParameter("gid"))
        let body = try await request.decodeJSON(UpdateRequest.self, context: context)
        context.audit.record("group.update", resource: "group:\(current.id)", params: ["name": body.name ?? current.name])
        let name = body.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, name != current.name {
            guard !current.isSystem else { throw ServiceError.conflict("System groups cannot be renamed") }
            guard !name.isEmpty else { throw ServiceError.badRequest("Group name is required") }
        }
        do {
            _ = try await services.groups.update(id: current.id, name: name, description: body.description.map { .some($0) })
        } catch StateError.conflict {
            throw ServiceError.conflict("Group '\(name ?? current.name)' already exists")
        }
        return GroupResponse(summary: try await summary(current.id))
    }

    func delete(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let group = try await summary(try context.pathParameter("gid"))
        context.audit.record("group.delete", resource: "group:\(group.id)", params: ["name": group.name])
        guard !group.isSystem else { throw ServiceError.conflict("Cannot delete a system group") }
        try await services.groups.delete(id: group.id)
        return .noContent
    }

    func members(_ context: AgnesRequestContext) async throws -> [GroupMember] {
        try context.requireIdentity().requireAdmin()
        let group = try await summary(try context.pathParameter("gid"))
        return try await services.groups.memberDetails(groupId: group.id)
    }

    func addMember(_ request: Request, _ context: AgnesRequestContext) async throws -> EditedResponse<GroupMember> {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let group = try await summary(try context.pathParameter("gid"))
        let body = try await request.decodeJSON(AddMemberRequest.self, context: context)
        context.audit.record("group.member_add", resource: "group:\(group.id)", params: ["email": body.email])
        guard let user = try await services.users.find(email: body.email) else { throw ServiceError.notFound("User '\(body.email)' not found") }
        try await MembershipChanges(services: services).add(userId: user.id, groupId: group.id, by: identity.user.email)
        let member = try await services.groups.memberDetails(groupId: group.id).first { $0.userId == user.id }
        return EditedResponse(status: .created, response: try member.orThrow(ServiceError.notFound("User '\(body.email)' not found")))
    }

    func removeMember(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let group = try await summary(try context.pathParameter("gid"))
        let userId = try context.pathParameter("uid")
        context.audit.record("group.member_remove", resource: "group:\(group.id)", params: ["user_id": userId])
        try await MembershipChanges(services: services).remove(userId: userId, groupId: group.id)
        return .noContent
    }

    private func summary(_ id: String) async throws -> GroupSummary {
        guard let group = try await services.groups.summary(id: id) else { throw ServiceError.notFound("Group not found") }
        return group
    }
}

extension GroupMember: ResponseEncodable {}

extension Optional {
    /// The value, or `error` thrown.
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
