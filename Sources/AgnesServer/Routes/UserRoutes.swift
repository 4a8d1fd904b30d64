// Administration of users (admin only): list, show, create (optionally with an invitation link), rename,
// deactivate/activate, delete, reset or set a password. The last active administrator cannot be removed.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct UserRoutes {
    let services: ServerServices

    struct CreateRequest: Decodable {
        var email: String
        var name: String?
        var sendInvite: Bool?

        enum CodingKeys: String, CodingKey {
            case email, name
            case sendInvite = "send_invite"
        }
    }

    struct UpdateRequest: Decodable {
        var name: String?
        var active: Bool?
    }

    struct SetPasswordRequest: Decodable { var password: String }

    /// A user as the API shows it (upstream's UserResponse).
    struct UserResponse: ResponseEncodable {
        struct GroupRef: Encodable {
            var id: String
            var name: String
            var isSystem: Bool
            var origin: String
            enum CodingKeys: String, CodingKey {
                case id, name, origin
                case isSystem = "is_system"
            }
        }

        var user: User
        var groups: [UserMembership]
        var inviteURL: String?
        var inviteEmailSent: Bool?

        enum CodingKeys: String, CodingKey {
            case id, email, name, role, groups, active
            case isAdmin = "is_admin"
            case isSSOUser = "is_sso_user"
            case createdAt = "created_at"
            case deactivatedAt = "deactivated_at"
            case lastLoginAt = "last_login_at"
            case inviteURL = "invite_url"
            case inviteEmailSent = "invite_email_sent"
        }

        func encode(to encoder: any Encoder) throws {
            let isAdmin = groups.contains { $0.groupName == Group.adminName }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(user.id, forKey: .id)
            try container.encode(user.email, forKey: .email)
            try container.encode(user.name, forKey: .name)
            try container.encode(isAdmin ? "admin" : "user", forKey: .role)
            try container.encode(isAdmin, forKey: .isAdmin)
            try container.encode(groups.contains { $0.source == .ssoSync }, forKey: .isSSOUser)
            try container.encode(groups.map { GroupRef(id: $0.groupId, name: $0.groupName, isSystem: $0.isSystem,
                                                      origin: $0.isSystem ? "system" : ($0.source == .ssoSync ? "sso_sync" : "custom")) },
                                 forKey: .groups)
            try container.encode(user.active, forKey: .active)
            try container.encode(user.createdAt, forKey: .createdAt)
            try container.encode(user.deactivatedAt, forKey: .deactivatedAt)
            try container.encode(user.lastLoginAt, forKey: .lastLoginAt)
            try container.encode(inviteURL, forKey: .inviteURL)
            try container.encode(inviteEmailSent, forKey: .inviteEmailSent)
        }
    }

    struct ResetResponse: ResponseEncodable {
        var resetURL: String
        var emailSent: Bool
        enum CodingKeys: String, CodingKey {
            case resetURL = "reset_url"
            case emailSent = "email_sent"
        }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/users") { _, context in try await list(context) }
        router.post("/api/users") { request, context in try await create(request, context) }
        router.get("/api/users/{id}") { _, context in try await show(context) }
        router.patch("/api/users/{id}") { request, context in try await update(request, context) }
        router.delete("/api/users/{id}") { _, context in try await delete(context) }
        router.post("/api/users/{id}/deactivate") { _, context in try await setActive(false, context) }
        router.post("/api/users/{id}/activate") { _, context in try await setActive(true, context) }
        router.post("/api/users/{id}/reset-password") { _, context in try await resetPassword(context) }
        router.post("/api/users/{id}/set-password") { request, context in try await setPassword(request, context) }
    }

    func list(_ context: AgnesRequestContext) async throws -> [UserResponse] {
        try context.requireIdentity().requireAdmin()
        let memberships = try await services.groups.membershipsByUser()
        return try await services.users.list().map { UserResponse(user: $0, groups: memberships[$0.id] ?? []) }
    }

    func show(_ context: AgnesRequestContext) async throws -> UserResponse {
        try context.requireIdentity().requireAdmin()
        return try await response(for: try await target(context))
    }

    func create(_ request: Request, _ context: AgnesRequestContext) async throws -> EditedResponse<UserResponse> {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        context.audit.record("user.create", params: ["email": body.email, "send_invite": String(body.sendInvite ?? false)])
        let user: User
        do {
            user = try await services.users.create(email: body.email, name: body.name)
        } catch StateError.conflict {
            throw ServiceError.conflict("User with this email already exists")
        } catch let StateError.invalid(message) {
            throw ServiceError.badRequest(message)
        }
        context.audit.record("user.create", resource: "user:\(user.id)")
        var response = try await response(for: user)
        if body.sendInvite == true {
            let links = OneTimeLinks(services: services)
            let link = try await links.issue(.passwordSetup, for: user)
            response.inviteURL = link
            response.inviteEmailSent = await links.deliver(MailTemplates.invitation(to: user.email, link: link))
        }
        return EditedResponse(status: .created, response: response)
    }

    func update(_ request: Request, _ context: AgnesRequestContext) async throws -> UserResponse {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let user = try await target(context)
        let body = try await request.decodeJSON(UpdateRequest.self, context: context)
        context.audit.record("user.update", resource: "user:\(user.id)",
                             params: ["name": body.name ?? "", "active": body.active.map(String.init) ?? ""].filter { !$0.value.isEmpty })
        if let name = body.name { _ = try await services.users.update(id: user.id, name: .some(name)) }
        if let active = body.active, active != user.active {
            if active { try await services.users.reactivate(id: user.id) } else { try await deactivate(user, by: identity) }
        }
        return try await response(for: try await target(context))
    }

    func setActive(_ active: Bool, _ context: AgnesRequestContext) async throws -> UserResponse {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let user = try await target(context)
        context.audit.record(active ? "user.activate" : "user.deactivate", resource: "user:\(user.id)")
        if active { try await services.users.reactivate(id: user.id) } else if user.active { try await deactivate(user, by: identity) }
        return try await response(for: try await target(context))
    }

    func delete(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let user = try await target(context)
        context.audit.record("user.delete", resource: "user:\(user.id)", params: ["email": user.email])
        guard user.id != identity.user.id else { throw ServiceError.conflict("Cannot delete yourself") }
        try await refuseRemovingLastAdmin(user, wording: "Cannot delete the last active admin")
        try await services.users.delete(id: user.id)
        return .noContent
    }

    func resetPassword(_ context: AgnesRequestContext) async throws -> ResetResponse {
        try context.requireIdentity().requireAdmin()
        let user = try await target(context)
        context.audit.record("user.reset_password", resource: "user:\(user.id)")
        let links = OneTimeLinks(services: services)
        let link = try await links.issue(.passwordReset, for: user)
        return ResetResponse(resetURL: link, emailSent: await links.deliver(MailTemplates.passwordReset(to: user.email, link: link)))
    }

    func setPassword(_ request: Request, _ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let user = try await target(context)
        context.audit.record("user.set_password", resource: "user:\(user.id)")
        let body = try await request.decodeJSON(SetPasswordRequest.self, context: context)
        if let problem = PasswordHasher.problem(with: body.password) { throw ServiceError.badRequest(problem) }
        _ = try await services.users.changePassword(id: user.id, hash: try await services.passwords.hash(body.password), kind: .change)
        return .noContent
    }

    private func deactivate(_ user: User, by identity: Identity) async throws {
        guard user.id != identity.user.id else { throw ServiceError.conflict("Cannot deactivate yourself") }
        try await refuseRemovingLastAdmin(user, wording: "Cannot deactivate the last active admin")
        try await services.users.deactivate(id: user.id, by: identity.user.id)
    }

    private func refuseRemovingLastAdmin(_ user: User, wording: String) async throws {
        guard try await services.users.access(id: user.id)?.isAdmin == true, user.active else { return }
        if try await services.groups.activeAdminCount(excludingUserId: user.id) == 0 { throw ServiceError.conflict(wording) }
    }

    private func target(_ context: AgnesRequestContext) async throws -> User {
        let id = try context.pathParameter("id")
        guard let user = try await services.users.get(id: id) else { throw ServiceError.notFound("User not found") }
        return user
    }

    private func response(for user: User) async throws -> UserResponse {
        UserResponse(user: user, groups: try await services.groups.memberships(ofUser: user.id))
    }
}
