// Groups, memberships and grants (admins only), and effective access (admins, or the caller's own). System groups
// (`Admin`, `Everyone`) cannot be renamed or deleted; the API adds and removes only memberships it owns (source
// `admin`), and never the last active administrator.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

/// The use cases of access administration.
public struct AccessAdministration: Sendable {
    let domain: Domain

    var groups: GroupsRepository { GroupsRepository(store: domain.state) }
    var grants: GrantsRepository { GrantsRepository(store: domain.state) }
    var users: UsersRepository { UsersRepository(store: domain.state) }

    // MARK: - Groups

    /// Every group with its counts.
    public func groups(for caller: Caller) async throws -> [GroupInfo] {
        try caller.requireAdmin()
        return try await groups.summaries().map(Self.info)
    }

    /// One group (404 `Group not found`).
    public func group(_ id: String, for caller: Caller) async throws -> GroupInfo {
        try caller.requireAdmin()
        return Self.info(try await summary(id))
    }

    /// Creates a group (409 for a taken name).
    public func createGroup(_ request: GroupRequest, for caller: Caller) async throws -> GroupInfo {
        try caller.requireAdmin()
        let name = (request.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        caller.audit.record("group.create", params: ["name": name])
        guard !name.isEmpty else { throw ServiceError.badRequest("Group name is required") }
        let group: Group
        do {
            group = try await groups.create(name: name, description: request.description, createdBy: caller.identity.user.email)
        } catch StateError.conflict {
            throw ServiceError.conflict("Group '\(name)' already exists")
        }
        caller.audit.record("group.create", resource: "group:\(group.id)")
        return Self.info(try await summary(group.id))
    }

    /// Renames a group or changes its description (system groups keep their names).
    public func updateGroup(_ id: String, _ request: GroupRequest, for caller: Caller) async throws -> GroupInfo {
        try caller.requireAdmin()
        let current = try await summary(id)
        caller.audit.record("group.update", resource: "group:\(current.id)", params: ["name": request.name ?? current.name])
        let name = request.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, name != current.name {
            guard !current.isSystem else { throw ServiceError.conflict("System groups cannot be renamed") }
            guard current.mappedEmail == nil else { throw Self.directoryManaged(current.name) }
            guard !name.isEmpty else { throw ServiceError.badRequest("Group name is required") }
        }
        if case let .set(email) = request.mappedEmail {
            guard !current.isSystem else { throw ServiceError.conflict("System groups cannot be linked to a directory group") }
            guard email.contains("@"), email.count <= 320 else { throw ServiceError.badRequest("mapped_email must be a group's email address") }
        }
        do {
            _ = try await groups.update(id: current.id, name: name, description: request.description.map { .some($0) }, mappedEmail: request.mappedEmail)
        } catch let StateError.conflict(message) {
            throw ServiceError.conflict(request.mappedEmail.isGiven && message.contains("linked") ? "Another group is linked to that directory group"
                                        : "Group '\(name ?? current.name)' already exists")
        }
        return Self.info(try await summary(current.id))
    }

    /// Deletes a group with its memberships and grants (never a system group).
    public func deleteGroup(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        let group = try await summary(id)
        caller.audit.record("group.delete", resource: "group:\(group.id)", params: ["name": group.name])
        guard !group.isSystem else { throw ServiceError.conflict("Cannot delete a system group") }
        try await groups.delete(id: group.id)
    }

    /// The group's members.
    public func members(of groupId: String, for caller: Caller) async throws -> [GroupMember] {
        try caller.requireAdmin()
        return try await groups.memberDetails(groupId: try await summary(groupId).id)
    }

    /// Adds the user with `request.email` to the group (409 when already a member).
    public func addMember(to groupId: String, _ request: AddMemberRequest, for caller: Caller) async throws -> GroupMember {
        try caller.requireAdmin()
        let group = try await summary(groupId)
        caller.audit.record("group.member_add", resource: "group:\(group.id)", params: ["email": request.email])
        guard let user = try await users.find(email: request.email) else { throw ServiceError.notFound("User '\(request.email)' not found") }
        try await addMembership(userId: user.id, groupId: group.id, by: caller.identity.user.email)
        guard let member = try await groups.memberDetails(groupId: group.id).first(where: { $0.userId == user.id }) else {
            throw ServiceError.notFound("User '\(request.email)' not found")
        }
        return member
    }

    /// Removes the admin-managed membership of `userId` in the group.
    public func removeMember(_ userId: String, from groupId: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        let group = try await summary(groupId)
        caller.audit.record("group.member_remove", resource: "group:\(group.id)", params: ["user_id": userId])
        try await removeMembership(userId: userId, groupId: group.id)
    }

    // MARK: - A user's memberships

    /// The groups of user `userId`.
    public func memberships(ofUser userId: String, for caller: Caller) async throws -> [UserMembership] {
        try caller.requireAdmin()
        return try await groups.memberships(ofUser: try await domain.users.target(userId).id)
    }

    /// Adds user `userId` to `request.groupId`.
    public func addMembership(ofUser userId: String, _ request: AddMembershipRequest, for caller: Caller) async throws -> UserMembership {
        try caller.requireAdmin()
        let user = try await domain.users.target(userId)
        caller.audit.record("group.member_add", resource: "group:\(request.groupId)", params: ["user_id": user.id])
        guard try await groups.get(id: request.groupId) != nil else { throw ServiceError.notFound("Group not found") }
        try await addMembership(userId: user.id, groupId: request.groupId, by: caller.identity.user.email)
        guard let membership = try await groups.memberships(ofUser: user.id).first(where: { $0.groupId == request.groupId }) else {
            throw ServiceError.notFound("Group not found")
        }
        return membership
    }

    /// Removes user `userId` from `groupId`.
    public func removeMembership(ofUser userId: String, groupId: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        let user = try await domain.users.target(userId)
        caller.audit.record("group.member_remove", resource: "group:\(groupId)", params: ["user_id": user.id])
        try await removeMembership(userId: user.id, groupId: groupId)
    }

    /// 409 `google_managed_readonly` (upstream's): the directory owns this group's name and members.
    static func directoryManaged(_ name: String) -> ServiceError {
        var error = ServiceError.conflict("Group '\(name)' is managed by the directory's group sync: change it in Google Workspace")
        error.structuredDetail = ["code": "google_managed_readonly", "message": .string(error.detail)]
        return error
    }

    /// Makes `userId` an admin-managed member of `groupId`; 409 when already a member or when the directory manages
    /// the group.
    private func addMembership(userId: String, groupId: String, by actor: String) async throws {
        if let group = try await groups.get(id: groupId), group.isDirectoryManaged { throw Self.directoryManaged(group.name) }
        if try await groups.memberships(ofUser: userId).contains(where: { $0.groupId == groupId }) {
            throw ServiceError.conflict("User already a member")
        }
        try await groups.addMember(userId: userId, groupId: groupId, source: .admin, addedBy: actor)
    }

    /// Removes the admin-managed membership; 404 when there is none, 409 when it is the last active administrator's.
    private func removeMembership(userId: String, groupId: String) async throws {
        guard let membership = try await groups.memberships(ofUser: userId).first(where: { $0.groupId == groupId && $0.source == .admin }) else {
            throw ServiceError.notFound("No admin-managed membership for this user in this group")
        }
        if membership.groupName == Group.adminName, try await users.get(id: userId)?.active == true,
           try await groups.activeAdminCount(excludingUserId: userId) == 0 {
            throw ServiceError.conflict("Cannot remove the last active admin")
        }
        try await groups.removeMember(userId: userId, groupId: groupId, source: .admin)
    }

    // MARK: - Grants

    /// The resource types grants may name.
    public func resourceTypes(for caller: Caller) throws -> [ResourceTypeInfo] {
        try caller.requireAdmin()
        return ResourceTypeInfo.all
    }

    static func resourceType(_ text: String) throws -> ResourceType {
        guard let type = ResourceType(rawValue: text) else {
            let known = ResourceType.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ServiceError.badRequest("Unknown resource_type '\(text)'. Known types: [\(known)]")
        }
        return type
    }

    /// Grants, of one type and/or one group.
    public func grants(resourceType: String?, groupId: String?, for caller: Caller) async throws -> [GrantInfo] {
        try caller.requireAdmin()
        let type = try resourceType.map(Self.resourceType)
        let names = Dictionary(uniqueKeysWithValues: try await groups.list().map { ($0.id, $0.name) })
        return try await grants.list(groupId: groupId).filter { type == nil || $0.resourceType == type }
            .map { Self.info($0, groupName: names[$0.groupId] ?? $0.groupId) }
    }

    /// Grants a group a resource (409 when it has it).
    public func grant(_ request: CreateGrantRequest, for caller: Caller) async throws -> GrantInfo {
        try caller.requireAdmin()
        caller.audit.record("resource_grant.created", resource: "\(request.resourceType):\(request.resourceId)", params: ["group_id": request.groupId])
        let type = try Self.resourceType(request.resourceType)
        let resourceId = request.resourceId.trimmingCharacters(in: .whitespaces)
        guard !resourceId.isEmpty else { throw ServiceError.badRequest("resource_id is required") }
        let requirement = try Self.requirement(request.requirement)
        guard let group = try await groups.get(id: request.groupId) else { throw ServiceError.notFound("Group not found") }
        let packages = try await domain.packageCatalog()
        switch type {
        case .dataPackage where !packages.packages.contains { $0.id == resourceId && !$0.isDeleted }:
            throw ServiceError.notFound("Data package not found")
        case .memoryDomain where !packages.domains.contains { $0.id == resourceId && !$0.isDeleted }:
            throw ServiceError.notFound("Memory domain not found")
        default:
            break
        }
        do {
            let grant = try await grants.grant(groupId: group.id, type: type, resourceId: resourceId, requirement: requirement,
                                               assignedBy: caller.identity.user.email)
            return Self.info(grant, groupName: group.name)
        } catch StateError.conflict {
            throw ServiceError.conflict("Grant already exists for this group/resource_type/resource_id")
        }
    }

    /// `available` (the default) or `required`.
    static func requirement(_ text: String?) throws -> GrantRequirement {
        guard let text else { return .available }
        guard let requirement = GrantRequirement(rawValue: text) else {
            throw ServiceError.unprocessable([FieldError(type: "enum", loc: ["body", "requirement"],
                                                         msg: "requirement must be 'available' or 'required'")])
        }
        return requirement
    }

    /// Revokes a grant (404 `Grant not found`).
    public func revoke(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("resource_grant.deleted", resource: "grant:\(id)")
        do { try await grants.revoke(id: id) } catch StateError.notFound { throw ServiceError.notFound("Grant not found") }
    }

    // MARK: - Effective access

    /// The caller's own groups and grants.
    public func myEffectiveAccess(for caller: Caller) async throws -> EffectiveAccess {
        var access = try await effectiveAccess(of: caller.identity.user, isAdmin: caller.identity.isAdmin,
                                               policies: try await domain.policies.enforcement(for: caller.identity))
        access.credential = caller.identity.surface.rawValue
        return access
    }

    /// User `userId`'s groups and grants (admins).
    public func effectiveAccess(ofUser userId: String, for caller: Caller) async throws -> EffectiveAccess {
        try caller.requireAdmin()
        let user = try await domain.users.target(userId)
        let isAdmin = try await users.access(id: user.id)?.isAdmin ?? false
        // As the user would read with full credentials (a workspace token of an administrator would be policied).
        let groups = try await domain.grants(ofUser: user.id).memberships.map(\.groupName)
        let policies: PolicyEnforcement = isAdmin ? .bypass : .enforce(PolicyCaller(email: user.email, userId: user.id, groups: groups))
        return try await effectiveAccess(of: user, isAdmin: isAdmin, policies: policies)
    }

    func effectiveAccess(of user: User, isAdmin: Bool, policies: PolicyEnforcement) async throws -> EffectiveAccess {
        let access = try await domain.grants(ofUser: user.id)
        let names = Dictionary(uniqueKeysWithValues: access.memberships.map { ($0.groupId, $0.groupName) })
        var items: [String: EffectiveAccess.Item] = [:]
        for grant in access.grants {
            let key = "\(grant.resourceType.rawValue)\u{0}\(grant.resourceId)"
            let via = EffectiveAccess.Via(groupId: grant.groupId, groupName: names[grant.groupId] ?? grant.groupId)
            items[key, default: .init(resourceType: grant.resourceType, resourceId: grant.resourceId, viaGroups: [])].viaGroups.append(via)
        }
        let policied = Set(try await domain.catalogSnapshot().tables.filter(\.hasPolicy).map(\.id))
        for (key, item) in items where item.resourceType == .table && policied.contains(item.resourceId) {
            items[key]?.policy = await policyStatus(of: item.resourceId, policies)
        }
        return EffectiveAccess(userId: user.id, email: user.email, isAdmin: isAdmin,
                               groups: access.memberships.map { .init(groupId: $0.groupId, groupName: $0.groupName) },
                               items: items.keys.sorted().map { items[$0]! })
    }

    /// What policied table `id` leaves a reader: the rows of their slice, counted in their grant scope.
    private func policyStatus(of id: String, _ policies: PolicyEnforcement) async -> EffectiveAccess.PolicyStatus {
        guard case .enforce = policies else { return .init(applies: false, rowsVisible: nil, reason: "not_applied") }
        guard let engine = domain.dataPlane.orchestrator.engine, engine.tables[id] != nil else {
            return .init(applies: true, rowsVisible: nil, reason: "not_served")
        }
        do {
            try await domain.policies.requireApplied([id], on: engine, policies)
            let rows = try await engine.withScope(readable: [id], policies: policies) { connection in
                try connection.scalar(Int64.self, "SELECT count(*) FROM main.\(SQL.identifier(id))") ?? 0
            }
            return .init(applies: true, rowsVisible: rows, reason: rows == 0 ? "empty_slice" : "ok")
        } catch {
            return .init(applies: true, rowsVisible: nil, reason: "policy_error")
        }
    }

    private func summary(_ id: String) async throws -> GroupSummary {
        guard let group = try await groups.summary(id: id) else { throw ServiceError.notFound("Group not found") }
        return group
    }

    static func info(_ summary: GroupSummary) -> GroupInfo {
        GroupInfo(id: summary.id, name: summary.name, description: summary.description, isSystem: summary.isSystem, createdAt: summary.createdAt,
                  createdBy: summary.createdBy, memberCount: summary.memberCount, grantCount: summary.grantCount, mappedEmail: summary.mappedEmail)
    }

    static func info(_ grant: ResourceGrant, groupName: String) -> GrantInfo {
        GrantInfo(id: grant.id, groupId: grant.groupId, groupName: groupName, resourceType: grant.resourceType, resourceId: grant.resourceId,
                  requirement: grant.requirement, assignedAt: grant.assignedAt, assignedBy: grant.assignedBy)
    }
}
