// Administration of users (admins only): list, show, create (optionally with an invitation link), rename,
// deactivate/activate, delete, reset or set a password. Nobody removes themselves, and the last active
// administrator cannot be removed.
import AgnesAPI
import AgnesState
import Foundation

/// The use cases of user administration.
public struct UserAdministration: Sendable {
    let domain: Domain

    var users: UsersRepository { UsersRepository(store: domain.state) }
    var groups: GroupsRepository { GroupsRepository(store: domain.state) }

    /// Every user with their groups.
    public func list(for caller: Caller) async throws -> [UserInfo] {
        try caller.requireAdmin()
        let memberships = try await groups.membershipsByUser()
        return try await users.list().map { Self.info($0, groups: memberships[$0.id] ?? []) }
    }

    /// One user (404 `User not found`).
    public func show(_ id: String, for caller: Caller) async throws -> UserInfo {
        try caller.requireAdmin()
        return try await info(try await target(id))
    }

    /// Creates a user (409 for a taken email); with `send_invite`, mails them the password setup link.
    public func create(_ request: CreateUserRequest, for caller: Caller) async throws -> UserInfo {
        try caller.requireAdmin()
        caller.audit.record("user.create", params: ["email": request.email, "send_invite": String(request.sendInvite ?? false)])
        let user: User
        do {
            user = try await users.create(email: request.email, name: request.name)
        } catch StateError.conflict {
            throw ServiceError.conflict("User with this email already exists")
        } catch let StateError.invalid(message) {
            throw ServiceError.badRequest(message)
        }
        caller.audit.record("user.create", resource: "user:\(user.id)")
        var answer = try await info(user)
        if request.sendInvite == true {
            let link = try await domain.links.issue(.passwordSetup, for: user)
            answer.inviteURL = link
            answer.inviteEmailSent = await domain.links.deliver(MailTemplates.invitation(to: user.email, link: link))
        }
        return answer
    }

    /// Renames and (de)activates.
    public func update(_ id: String, _ request: UpdateUserRequest, for caller: Caller) async throws -> UserInfo {
        try caller.requireAdmin()
        let user = try await target(id)
        caller.audit.record("user.update", resource: "user:\(user.id)",
                            params: ["name": request.name ?? "", "active": request.active.map(String.init) ?? ""].filter { !$0.value.isEmpty })
        if let name = request.name { _ = try await users.update(id: user.id, name: .some(name)) }
        if let active = request.active, active != user.active {
            if active { try await users.reactivate(id: user.id) } else { try await deactivate(user, by: caller.identity) }
        }
        return try await info(try await target(id))
    }

    /// Lets a user sign in again, or stops them (their sessions and tokens stop working).
    public func setActive(_ id: String, _ active: Bool, for caller: Caller) async throws -> UserInfo {
        try caller.requireAdmin()
        let user = try await target(id)
        caller.audit.record(active ? "user.activate" : "user.deactivate", resource: "user:\(user.id)")
        if active { try await users.reactivate(id: user.id) } else if user.active { try await deactivate(user, by: caller.identity) }
        return try await info(try await target(id))
    }

    /// Deletes a user with their memberships and tokens.
    public func delete(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        let user = try await target(id)
        caller.audit.record("user.delete", resource: "user:\(user.id)", params: ["email": user.email])
        guard user.id != caller.identity.user.id else { throw ServiceError.conflict("Cannot delete yourself") }
        try await refuseRemovingLastAdmin(user, wording: "Cannot delete the last active admin")
        try await users.delete(id: user.id)
    }

    /// Issues (and mails) a password reset link.
    public func resetPassword(_ id: String, for caller: Caller) async throws -> PasswordResetLink {
        try caller.requireAdmin()
        let user = try await target(id)
        caller.audit.record("user.reset_password", resource: "user:\(user.id)")
        let link = try await domain.links.issue(.passwordReset, for: user)
        return PasswordResetLink(resetURL: link, emailSent: await domain.links.deliver(MailTemplates.passwordReset(to: user.email, link: link)))
    }

    /// Sets a user's password (their other sessions and tokens end).
    public func setPassword(_ id: String, _ request: SetPasswordRequest, for caller: Caller) async throws {
        try caller.requireAdmin()
        let user = try await target(id)
        caller.audit.record("user.set_password", resource: "user:\(user.id)")
        if let problem = PasswordHasher.problem(with: request.password) { throw ServiceError.badRequest(problem) }
        _ = try await users.changePassword(id: user.id, hash: try await domain.passwords.hash(request.password), kind: .change)
    }

    private func deactivate(_ user: User, by identity: Identity) async throws {
        guard user.id != identity.user.id else { throw ServiceError.conflict("Cannot deactivate yourself") }
        try await refuseRemovingLastAdmin(user, wording: "Cannot deactivate the last active admin")
        try await users.deactivate(id: user.id, by: identity.user.id)
    }

    private func refuseRemovingLastAdmin(_ user: User, wording: String) async throws {
        guard try await users.access(id: user.id)?.isAdmin == true, user.active else { return }
        if try await groups.activeAdminCount(excludingUserId: user.id) == 0 { throw ServiceError.conflict(wording) }
    }

    /// The user `id` (404 `User not found`).
    func target(_ id: String) async throws -> User {
        guard let user = try await users.get(id: id) else { throw ServiceError.notFound("User not found") }
        return user
    }

    private func info(_ user: User) async throws -> UserInfo {
        Self.info(user, groups: try await groups.memberships(ofUser: user.id))
    }

    /// A user as the API shows them.
    static func info(_ user: User, groups: [UserMembership]) -> UserInfo {
        UserInfo(id: user.id, email: user.email, name: user.name, isAdmin: groups.contains { $0.groupName == Group.adminName },
                 isSSOUser: groups.contains { $0.source == .googleSync },
                 groups: groups.map { .init(id: $0.groupId, name: $0.groupName, isSystem: $0.isSystem,
                                            origin: $0.isSystem ? "system" : ($0.source == .googleSync ? "google_sync" : "custom")) },
                 active: user.active, createdAt: user.createdAt, deactivatedAt: user.deactivatedAt, lastLoginAt: user.lastLoginAt)
    }
}
