// The administration operations (the caller must be an administrator): users, groups, grants, the table registry,
// data sources and the audit trail.
import AgnesAPI
import Foundation

extension APIClient {
    // MARK: - Users

    /// `GET /api/users`.
    public func users() async throws -> [UserInfo] {
        try await get("/api/users")
    }

    /// `POST /api/users`.
    public func createUser(_ request: CreateUserRequest) async throws -> UserInfo {
        try await send(.POST, "/api/users", json: request)
    }

    /// `DELETE /api/users/{id}`.
    public func deleteUser(_ id: String) async throws {
        _ = try await call(.DELETE, "/api/users/\(Self.segment(id))")
    }

    /// `POST /api/users/{id}/activate` or `/deactivate`.
    public func setUserActive(_ id: String, _ active: Bool) async throws -> UserInfo {
        try await call(.POST, "/api/users/\(Self.segment(id))/\(active ? "activate" : "deactivate")").decode()
    }

    /// `POST /api/users/{id}/reset-password`.
    public func resetPassword(ofUser id: String) async throws -> PasswordResetLink {
        try await call(.POST, "/api/users/\(Self.segment(id))/reset-password").decode()
    }

    /// `POST /api/users/{id}/set-password`.
    public func setPassword(ofUser id: String, to password: String) async throws {
        _ = try await call(.POST, "/api/users/\(Self.segment(id))/set-password", body: try Self.json(SetPasswordRequest(password: password)))
    }

    // MARK: - Groups and grants

    /// `GET /api/admin/groups`.
    public func groups() async throws -> [GroupInfo] {
        try await get("/api/admin/groups")
    }

    /// `POST /api/admin/groups`.
    public func createGroup(_ request: GroupRequest) async throws -> GroupInfo {
        try await send(.POST, "/api/admin/groups", json: request)
    }

    /// `DELETE /api/admin/groups/{gid}`.
    public func deleteGroup(_ id: String) async throws {
        _ = try await call(.DELETE, "/api/admin/groups/\(Self.segment(id))")
    }

    /// `GET /api/admin/groups/{gid}/members`.
    public func members(ofGroup id: String) async throws -> [GroupMember] {
        try await get("/api/admin/groups/\(Self.segment(id))/members")
    }

    /// `POST /api/admin/groups/{gid}/members`.
    public func addMember(_ email: String, toGroup id: String) async throws -> GroupMember {
        try await send(.POST, "/api/admin/groups/\(Self.segment(id))/members", json: AddMemberRequest(email: email))
    }

    /// `DELETE /api/admin/groups/{gid}/members/{uid}`.
    public func removeMember(_ userId: String, fromGroup id: String) async throws {
        _ = try await call(.DELETE, "/api/admin/groups/\(Self.segment(id))/members/\(Self.segment(userId))")
    }

    /// `GET /api/admin/grants`.
    public func grants(groupId: String? = nil, resourceType: String? = nil) async throws -> [GrantInfo] {
        try await get("/api/admin/grants" + Self.query([("group_id", groupId), ("resource_type", resourceType)]))
    }

    /// `POST /api/admin/grants`.
    public func createGrant(_ request: CreateGrantRequest) async throws -> GrantInfo {
        try await send(.POST, "/api/admin/grants", json: request)
    }

    /// `DELETE /api/admin/grants/{id}`.
    public func revokeGrant(_ id: String) async throws {
        _ = try await call(.DELETE, "/api/admin/grants/\(Self.segment(id))")
    }

    /// `GET /api/admin/resource-types`.
    public func resourceTypes() async throws -> [ResourceTypeInfo] {
        try await get("/api/admin/resource-types")
    }

    // MARK: - Registry and sources

    /// `GET /api/admin/registry`.
    public func registry() async throws -> RegistryList {
        try await get("/api/admin/registry")
    }

    /// `POST /api/admin/register-table`.
    public func registerTable(_ fields: TableFields) async throws -> TableRegistered {
        try await send(.POST, "/api/admin/register-table", json: fields)
    }

    /// `POST /api/admin/register-table/precheck`.
    public func precheckTable(_ fields: TableFields) async throws -> TablePrecheck {
        try await send(.POST, "/api/admin/register-table/precheck", json: fields)
    }

    /// `PUT /api/admin/registry/{id}`.
    public func updateTable(_ id: String, _ fields: TableFields) async throws -> TableUpdated {
        try await send(.PUT, "/api/admin/registry/\(Self.segment(id))", json: fields)
    }

    /// `POST /api/admin/registry/{id}/policy/preview`.
    public func previewPolicy(_ id: String, _ request: PolicyPreviewRequest) async throws -> PolicyPreview {
        try await send(.POST, "/api/admin/registry/\(Self.segment(id))/policy/preview", json: request)
    }

    /// `POST /api/admin/registry/{id}/policy/compile`.
    public func compilePolicy(_ id: String, _ request: PolicyCompileRequest) async throws -> CompiledPolicy {
        try await send(.POST, "/api/admin/registry/\(Self.segment(id))/policy/compile", json: request)
    }

    /// `DELETE /api/admin/registry/{id}`.
    public func unregisterTable(_ id: String) async throws {
        _ = try await call(.DELETE, "/api/admin/registry/\(Self.segment(id))")
    }

    /// `GET /api/admin/sources`.
    public func sources() async throws -> [SourceInfo] {
        try await get("/api/admin/sources")
    }

    /// `POST /api/admin/sources` (a new source) or `PUT /api/admin/sources/{name}` (replacing `name`).
    public func saveSource(_ request: SourceRequest, replacing name: String?) async throws -> SourceInfo {
        if let name { return try await send(.PUT, "/api/admin/sources/\(Self.segment(name))", json: request) }
        return try await send(.POST, "/api/admin/sources", json: request)
    }

    /// `DELETE /api/admin/sources/{name}`.
    public func deleteSource(_ name: String) async throws {
        _ = try await call(.DELETE, "/api/admin/sources/\(Self.segment(name))")
    }

    /// `POST /api/admin/sources/{name}/test` (reading a source can take a while).
    public func testSource(_ name: String) async throws -> SourceTestResult {
        try await call(.POST, "/api/admin/sources/\(Self.segment(name))/test", timeout: .minutes(2)).decode()
    }

    // MARK: - Audit

    /// `GET /api/admin/audit`.
    public func audit(since: String?, userId: String?, actionPrefix: String?, resource: String?, limit: Int) async throws -> AuditTrailPage {
        try await get("/api/admin/audit" + Self.query([("limit", String(limit)), ("since", since), ("user_id", userId),
                                                     ("action_prefix", actionPrefix), ("resource", resource)]))
    }
}
