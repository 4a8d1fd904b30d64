// Resource grants (admin only): which group may use which table, table folder, metric category or knowledge
// category; and the list of resource types.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct GrantRoutes {
    let services: ServerServices

    struct CreateRequest: Decodable {
        var groupId: String
        var resourceType: String
        var resourceId: String

        enum CodingKeys: String, CodingKey {
            case groupId = "group_id"
            case resourceType = "resource_type"
            case resourceId = "resource_id"
        }
    }

    /// A grant as the API shows it, with its group's name.
    struct GrantResponse: ResponseEncodable {
        var grant: ResourceGrant
        var groupName: String

        enum CodingKeys: String, CodingKey {
            case id
            case groupId = "group_id"
            case groupName = "group_name"
            case resourceType = "resource_type"
            case resourceId = "resource_id"
            case rowFilter = "row_filter"
            case assignedAt = "assigned_at"
            case assignedBy = "assigned_by"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(grant.id, forKey: .id)
            try container.encode(grant.groupId, forKey: .groupId)
            try container.encode(groupName, forKey: .groupName)
            try container.encode(grant.resourceType, forKey: .resourceType)
            try container.encode(grant.resourceId, forKey: .resourceId)
            try container.encode(grant.rowFilter, forKey: .rowFilter)
            try container.encode(grant.assignedAt, forKey: .assignedAt)
            try container.encode(grant.assignedBy, forKey: .assignedBy)
        }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/grants") { request, context in try await list(request, context) }
        router.post("/api/admin/grants") { request, context in try await create(request, context) }
        router.delete("/api/admin/grants/{id}") { _, context in try await delete(context) }
        router.get("/api/admin/resource-types") { _, context -> [ResourceTypeInfo] in
            try context.requireIdentity().requireAdmin()
            return ResourceTypeInfo.all
        }
    }

    static func resourceType(_ text: String) throws -> ResourceType {
        guard let type = ResourceType(rawValue: text) else {
            let known = ResourceType.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ServiceError.badRequest("Unknown resource_type '\(text)'. Known types: [\(known)]")
        }
        return type
    }

    func list(_ request: Request, _ context: AgnesRequestContext) async throws -> [GrantResponse] {
        try context.requireIdentity().requireAdmin()
        let type = try request.uri.queryParameters.get("resource_type").map(Self.resourceType)
        let groupId = request.uri.queryParameters.get("group_id")
        let names = Dictionary(uniqueKeysWithValues: try await services.groups.list().map { ($0.id, $0.name) })
        return try await services.grants.list(groupId: groupId)
            .filter { type == nil || $0.resourceType == type }
            .map { GrantResponse(grant: $0, groupName: names[$0.groupId] ?? $0.groupId) }
    }

    func create(_ request: Request, _ context: AgnesRequestContext) async throws -> EditedResponse<GrantResponse> {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        context.audit.record("resource_grant.created", resource: "\(body.resourceType):\(body.resourceId)", params: ["group_id": body.groupId])
        let type = try Self.resourceType(body.resourceType)
        let resourceId = body.resourceId.trimmingCharacters(in: .whitespaces)
        guard !resourceId.isEmpty else { throw ServiceError.badRequest("resource_id is required") }
        guard let group = try await services.groups.get(id: body.groupId) else { throw ServiceError.notFound("Group not found") }
        do {
            let grant = try await services.grants.grant(groupId: group.id, type: type, resourceId: resourceId, assignedBy: identity.user.email)
            return EditedResponse(status: .created, response: GrantResponse(grant: grant, groupName: group.name))
        } catch StateError.conflict {
            throw ServiceError.conflict("Grant already exists for this group/resource_type/resource_id")
        }
    }

    func delete(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let id = try context.pathParameter("id")
        context.audit.record("resource_grant.deleted", resource: "grant:\(id)")
        do {
            try await services.grants.revoke(id: id)
        } catch StateError.notFound {
            throw ServiceError.notFound("Grant not found")
        }
        return .noContent
    }
}

extension ResourceTypeInfo: ResponseEncodable {}
