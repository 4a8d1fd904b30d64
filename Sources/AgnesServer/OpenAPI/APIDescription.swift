// The machine-readable description of the API (OpenAPI 3.1), served at `GET /api/openapi.json`. Every route the
// router has must appear here; a test compares the two.
import AgnesAPI
import AgnesDomain
import Foundation

/// Who may call an operation.
enum APIAccess: String, Sendable {
    case anyone, user, admin, session
}

/// One documented operation.
struct APIOperation: Sendable {
    var method: String
    var path: String
    var summary: String
    var tag: String
    var access: APIAccess
    var query: [String] = []
    var body: JSONValue? = nil
    var bodyType = "application/json"
    var responses: [(Int, String, JSONValue?)]
}

/// Schema shorthands.
enum Schema {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    /// The schema of a wire type, read off the type (`JSONSchemaBuilder`); named objects land in `components`.
    static func of(_ type: any Decodable.Type) -> JSONValue { reflected.schema(of: type) }
    /// The wire types' schemas the operations named.
    static let reflected = WireSchemaRegistry()
    static func nullable(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        .object(["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string))])
    }
}

/// The schemas of the wire types the document names, built once while the operations are listed.
final class WireSchemaRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var builder = JSONSchemaBuilder()

    func schema(of type: any Decodable.Type) -> JSONValue {
        lock.withLock { builder.schema(of: type) }
    }

    var components: [String: JSONValue] { lock.withLock { builder.components } }
}

enum APIDescription {
    static let operations: [APIOperation] = health + auth + tokens + users + groups + grants + access + audit + data + workspace + memory + metrics + mcp + packages
        + semantic

    /// The operations that count attempts (`RateLimiter`): past their limit they answer 429.
    static let rateLimited: Set<String> = [
        "POST /auth/token", "POST /auth/password/login", "POST /auth/password/login/web", "POST /auth/bootstrap", "POST /auth/password/setup",
        "POST /auth/password/setup/request", "POST /auth/password/setup/confirm", "POST /auth/password/reset", "POST /auth/password/reset/confirm",
        "POST /auth/email/send-link", "POST /auth/email/verify", "GET /auth/email/verify", "GET /auth/google/login", "GET /auth/google/callback",
        "POST /api/mcp/http/register", "POST /register", "POST /api/mcp/http/token", "POST /token",
    ]

    static let health: [APIOperation] = [
        .init(method: "GET", path: "/api/health", summary: "Liveness and state schema status", tag: "health", access: .anyone,
              responses: [(200, "Health", Schema.of(HealthStatus.self))]),
        .init(method: "GET", path: "/api/health/detailed", summary: "State database, data freshness and users", tag: "health", access: .user,
              responses: [(200, "Detailed health", Schema.of(DetailedHealth.self))]),
        .init(method: "GET", path: "/api/version", summary: "Build and schema version", tag: "health", access: .anyone,
              responses: [(200, "Version", Schema.of(VersionInfo.self))]),
        .init(method: "GET", path: "/healthz", summary: "Liveness: the process answers", tag: "health", access: .anyone,
              responses: [(200, "Alive", Schema.of(Liveness.self))]),
        .init(method: "GET", path: "/readyz", summary: "Readiness: the write canary (3 failures take it out, 2 successes bring it back)",
              tag: "health", access: .anyone,
              responses: [(200, "Ready", Schema.of(Readiness.self)), (503, "Not ready", Schema.of(Readiness.self))]),
        .init(method: "GET", path: "/metrics", summary: "Prometheus metrics (text exposition format)", tag: "health", access: .anyone,
              responses: [(200, "Metrics", nil)]),
        .init(method: "GET", path: "/api/openapi.json", summary: "This document", tag: "health", access: .anyone,
              responses: [(200, "OpenAPI document", Schema.object(["openapi": Schema.string, "info": Schema.object(["title": Schema.string, "version": Schema.string]),
                                                                   "paths": ["type": "object", "additionalProperties": [:]],
                                                                   "components": ["type": "object", "additionalProperties": [:]]],
                                                                  required: ["openapi", "info", "paths"]))]),
    ]

    static let credentials = Schema.object(["email": Schema.string, "password": Schema.string], required: ["email", "password"])
    static let emailAndToken = Schema.object(["email": Schema.string, "token": Schema.string], required: ["email", "token"])
    static let message = Schema.object(["message": Schema.string])
    static let form = "application/x-www-form-urlencoded"

    static let auth: [APIOperation] = [
        .init(method: "POST", path: "/auth/token", summary: "Sign in with email and password (CLI)", tag: "auth", access: .anyone,
              body: Schema.of(SignInRequest.self),
              responses: [(200, "Session token", Schema.of(TokenResponse.self)), (401, "Wrong credentials", Schema.ref("Error")),
                          (429, "Rate limited", Schema.ref("Error"))]),
        .init(method: "POST", path: "/auth/password/login", summary: "Sign in with email and password", tag: "auth", access: .anyone,
              body: credentials, responses: [(200, "Session token", Schema.of(TokenResponse.self)), (401, "Wrong credentials", Schema.ref("Error"))]),
        .init(method: "POST", path: "/auth/password/login/web", summary: "Browser sign-in form; sets the session cookie", tag: "auth",
              access: .anyone, body: Schema.object(["email": Schema.string, "password": Schema.string, "next": Schema.string]), bodyType: form,
              responses: [(302, "Redirect to a same-site `next`, or back to the login page", nil)]),
        .init(method: "POST", path: "/auth/bootstrap", summary: "Create the first administrator (only while no user has a password)",
              tag: "auth", access: .anyone,
              body: Schema.of(BootstrapRequest.self),
              responses: [(200, "Session token", Schema.of(TokenResponse.self)), (403, "Bootstrap closed", Schema.ref("Error"))]),
        .init(method: "POST", path: "/auth/password/setup", summary: "Set a password with a setup token", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "token": Schema.string, "password": Schema.string], required: ["email", "token", "password"]),
              responses: [(200, "Session token", Schema.of(TokenResponse.self)), (400, "Invalid or expired token", Schema.ref("Error")),
                          (404, "User not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/password/setup", summary: "HTML form behind a setup link", tag: "auth", access: .anyone,
              query: ["email", "token"], responses: [(200, "HTML page", nil)]),
        .init(method: "POST", path: "/auth/password/setup/request", summary: "Ask for a new setup link", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string], required: ["email"]), bodyType: form, responses: [(200, "Same answer for every email", nil)]),
        .init(method: "POST", path: "/auth/password/setup/confirm", summary: "Set the password from the setup form", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "token": Schema.string, "password": Schema.string, "confirm_password": Schema.string,
                                   "name": Schema.string]), bodyType: form,
              responses: [(302, "Signed in; cookie set", nil), (400, "Invalid token or password (the form again, with the reason)", nil),
                          (403, "Account deactivated (the form again)", nil), (404, "User not found (the form again)", nil),
                          (429, "Too many attempts (the form again, with the reason)", nil)]),
        .init(method: "GET", path: "/auth/password/reset", summary: "HTML form: ask for a reset link, or set the new password", tag: "auth",
              access: .anyone, query: ["email", "token"], responses: [(200, "HTML page", nil)]),
        .init(method: "POST", path: "/auth/password/reset", summary: "Ask for a password reset link", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string], required: ["email"]), bodyType: form,
              responses: [(200, "Same answer for every email: an HTML page (`{\"message\"}` for a JSON body)", nil)]),
        .init(method: "POST", path: "/auth/password/reset/confirm", summary: "Set a new password with a reset token", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "token": Schema.string, "password": Schema.string, "confirm_password": Schema.string]),
              bodyType: form, responses: [(302, "Signed in; cookie set", nil), (400, "Invalid token or password (the form again, with the reason)", nil),
                                          (403, "Account deactivated (the form again)", nil), (404, "User not found (the form again)", nil),
                          (429, "Too many attempts (the form again, with the reason)", nil)]),
        .init(method: "POST", path: "/auth/email/send-link", summary: "Send a magic sign-in link", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string], required: ["email"]), responses: [(200, "Same answer for every email", message)]),
        .init(method: "POST", path: "/auth/email/verify", summary: "Trade a magic link's token for a session token", tag: "auth", access: .anyone,
              body: emailAndToken, responses: [(200, "Session token", Schema.of(TokenResponse.self)), (401, "Invalid or expired link", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/email/verify", summary: "The magic link itself: sets the session cookie", tag: "auth", access: .anyone,
              query: ["email", "token"], responses: [(302, "Signed in; cookie set", nil), (401, "Invalid or expired link", nil)]),
        .init(method: "POST", path: "/webhooks/jira", summary: "A Jira webhook event (signed: X-Hub-Signature-256, HMAC-SHA256 of the body)",
              tag: "auth", access: .anyone, body: Schema.object([:], required: []),
              responses: [(200, "Stored on disk; the tables sync within a second", Schema.of(JiraWebhookReceipt.self)),
                          (400, "Not an issue event", Schema.ref("Error")), (401, "Invalid webhook signature", Schema.ref("Error")),
                          (503, "Jira webhooks are not configured", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/google/login", summary: "Start signing in with Google (OpenID Connect, PKCE): redirect to the provider",
              tag: "auth", access: .anyone, query: ["next"],
              responses: [(302, "To the provider, with the state cookie", nil), (404, "Google sign-in is not configured", Schema.ref("Error")),
                          (503, "The provider cannot be reached", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/google/callback", summary: "Where the provider sends the browser back: sets the session cookie",
              tag: "auth", access: .anyone, query: ["code", "state", "error"],
              responses: [(302, "Signed in; cookie set; to next", nil), (401, "Refused (an HTML page says why)", nil),
                          (404, "Google sign-in is not configured", Schema.ref("Error"))]),
    ]

    static let tokens: [APIOperation] = [
        .init(method: "POST", path: "/auth/tokens", summary: "Create a personal access token (shown once)", tag: "tokens", access: .session,
              body: Schema.of(CreateTokenRequest.self),
              responses: [(201, "The token", Schema.of(CreatedToken.self)), (400, "Invalid lifetime or name", Schema.ref("Error")),
                          (403, "Needs an interactive session", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/tokens", summary: "The caller's tokens", tag: "tokens", access: .user,
              responses: [(200, "Tokens", Schema.of([TokenInfo].self))]),
        .init(method: "GET", path: "/auth/tokens/{id}", summary: "One of the caller's tokens", tag: "tokens", access: .user,
              responses: [(200, "Token", Schema.of(TokenInfo.self)), (404, "Token not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/auth/tokens/{id}", summary: "Revoke one of the caller's tokens", tag: "tokens", access: .user,
              responses: [(204, "Revoked", nil), (404, "Token not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/admin/tokens", summary: "Every user's tokens", tag: "tokens", access: .admin,
              responses: [(200, "Tokens with their owners", Schema.of([TokenInfo].self))]),
        .init(method: "DELETE", path: "/auth/admin/tokens/{id}", summary: "Revoke any token", tag: "tokens", access: .admin,
              responses: [(204, "Revoked", nil), (404, "Token not found", Schema.ref("Error"))]),
    ]

    static let users: [APIOperation] = [
        .init(method: "GET", path: "/api/users", summary: "List users", tag: "users", access: .admin,
              responses: [(200, "Users", Schema.of([UserInfo].self))]),
        .init(method: "POST", path: "/api/users", summary: "Create a user (optionally with an invitation link)", tag: "users", access: .admin,
              body: Schema.of(CreateUserRequest.self),
              responses: [(201, "The user", Schema.of(UserInfo.self)), (409, "Email taken", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/users/{id}", summary: "One user", tag: "users", access: .admin,
              responses: [(200, "The user", Schema.of(UserInfo.self)), (404, "User not found", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/users/{id}", summary: "Rename, deactivate or reactivate a user", tag: "users", access: .admin,
              body: Schema.of(UpdateUserRequest.self),
              responses: [(200, "The user", Schema.of(UserInfo.self)), (409, "Would remove yourself or the last admin", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/users/{id}", summary: "Delete a user with their memberships and tokens", tag: "users", access: .admin,
              responses: [(204, "Deleted", nil), (409, "Would remove yourself or the last admin", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/users/{id}/deactivate", summary: "Deactivate a user", tag: "users", access: .admin,
              responses: [(200, "The user", Schema.of(UserInfo.self)), (409, "Would remove yourself or the last admin", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/users/{id}/activate", summary: "Reactivate a user", tag: "users", access: .admin,
              responses: [(200, "The user", Schema.of(UserInfo.self))]),
        .init(method: "POST", path: "/api/users/{id}/reset-password", summary: "Issue (and mail) a password reset link", tag: "users",
              access: .admin, responses: [(200, "The link", Schema.of(PasswordResetLink.self))]),
        .init(method: "POST", path: "/api/users/{id}/set-password", summary: "Set a user's password", tag: "users", access: .admin,
              body: Schema.of(SetPasswordRequest.self),
              responses: [(204, "Set", nil), (400, "Password too short", Schema.ref("Error"))]),
    ]

    static let groups: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/groups", summary: "List groups", tag: "groups", access: .admin,
              responses: [(200, "Groups", Schema.of([GroupInfo].self))]),
        .init(method: "POST", path: "/api/admin/groups", summary: "Create a group", tag: "groups", access: .admin,
              body: Schema.of(GroupRequest.self),
              responses: [(201, "The group", Schema.of(GroupInfo.self)), (409, "Name taken", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/groups/{gid}", summary: "One group", tag: "groups", access: .admin,
              responses: [(200, "The group", Schema.of(GroupInfo.self)), (404, "Group not found", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/admin/groups/{gid}", summary: "Rename or describe a group", tag: "groups", access: .admin,
              body: Schema.of(GroupRequest.self),
              responses: [(200, "The group", Schema.of(GroupInfo.self)), (409, "System group or name taken", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/groups/{gid}", summary: "Delete a group with its memberships and grants", tag: "groups",
              access: .admin, responses: [(204, "Deleted", nil), (409, "Cannot delete a system group", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/groups/{gid}/members", summary: "Members of a group", tag: "groups", access: .admin,
              responses: [(200, "Members", Schema.of([GroupMember].self))]),
        .init(method: "POST", path: "/api/admin/groups/{gid}/members", summary: "Add a user to a group", tag: "groups", access: .admin,
              body: Schema.of(AddMemberRequest.self),
              responses: [(201, "The membership", Schema.of(GroupMember.self)), (404, "Unknown user or group", Schema.ref("Error")),
                          (409, "Already a member", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/groups/{gid}/members/{uid}", summary: "Remove an admin-managed membership", tag: "groups",
              access: .admin, responses: [(204, "Removed", nil), (404, "No such membership", Schema.ref("Error")),
                                          (409, "Last active admin", Schema.ref("Error"))]),
    ]

    static let grants: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/grants", summary: "List grants", tag: "grants", access: .admin, query: ["resource_type", "group_id"],
              responses: [(200, "Grants", Schema.of([GrantInfo].self)), (400, "Unknown resource type", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/grants", summary: "Grant a resource to a group", tag: "grants", access: .admin,
              body: Schema.of(CreateGrantRequest.self),
              responses: [(201, "The grant", Schema.of(GrantInfo.self)), (400, "Unknown resource type", Schema.ref("Error")),
                          (404, "Group not found", Schema.ref("Error")), (409, "Grant exists", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/grants/{id}", summary: "Revoke a grant", tag: "grants", access: .admin,
              responses: [(204, "Revoked", nil), (404, "Grant not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/resource-types", summary: "The resource types grants can name", tag: "grants", access: .admin,
              responses: [(200, "Resource types", Schema.of([ResourceTypeInfo].self))]),
    ]

    static let access: [APIOperation] = [
        .init(method: "GET", path: "/api/me/effective-access", summary: "The caller's groups and every resource they may use", tag: "access",
              access: .user, responses: [(200, "Effective access", Schema.of(EffectiveAccess.self))]),
        .init(method: "GET", path: "/api/admin/users/{uid}/effective-access", summary: "A user's effective access", tag: "access",
              access: .admin, responses: [(200, "Effective access", Schema.of(EffectiveAccess.self)), (404, "User not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/users/{uid}/memberships", summary: "A user's groups", tag: "access", access: .admin,
              responses: [(200, "Memberships", Schema.of([UserMembership].self))]),
        .init(method: "POST", path: "/api/admin/users/{uid}/memberships", summary: "Add a user to a group", tag: "access", access: .admin,
              body: Schema.of(AddMembershipRequest.self),
              responses: [(201, "The membership", Schema.of(UserMembership.self)), (409, "Already a member", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/users/{uid}/memberships/{gid}", summary: "Remove an admin-managed membership", tag: "access",
              access: .admin, responses: [(204, "Removed", nil), (404, "No such membership", Schema.ref("Error"))]),
    ]

    static let audit: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/audit", summary: "The audit trail, newest first, in pages of at most 1,000", tag: "audit",
              access: .admin, query: ["user_id", "action", "action_prefix", "resource", "result", "since", "until", "limit", "cursor"],
              responses: [(200, "A page", Schema.of(AuditTrailPage.self))]),
        .init(method: "POST", path: "/api/admin/backup",
              summary: "Back up the state database while the server runs (one consistent snapshot; writers do not wait)", tag: "audit",
              access: .admin, responses: [(201, "Where the copy is, with its size", Schema.of(StateBackup.self))]),
    ]

    static let tableFields = Schema.of(TableFields.self)
    static let source = Schema.of(SourceInfo.self)
    static let sourceRequest = Schema.of(SourceRequest.self)
    static let connection = Schema.of(SourceConnection.self)
    static let connectionRequest = Schema.of(SourceConnectionRequest.self)

    static let data: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/sources", summary: "Data sources (connector instances)", tag: "data", access: .admin,
              responses: [(200, "Sources", Schema.array(source))]),
        .init(method: "POST", path: "/api/admin/sources", summary: "Add a data source", tag: "data", access: .admin, body: sourceRequest,
              responses: [(201, "The source", source), (400, "Unusable configuration", Schema.ref("Error")), (409, "Name taken", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/sources/{name}/test", summary: "Read the source as a sync would and say what was found",
              tag: "data", access: .admin,
              responses: [(200, "ok with a message, or not ok with the error", Schema.of(SourceTestResult.self)),
                          (400, "The host resolves to an internal address (SSRF policy) or not at all", Schema.ref("Error")),
                          (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/sources/{name}/tables", summary: "The tables a source offers for registration (Keboola, Jira)",
              tag: "data", access: .admin,
              responses: [(200, "Tables", Schema.array(Schema.of(SourceTableListing.self))), (400, "The source cannot be read", Schema.ref("Error")),
                          (404, "Data source not found", Schema.ref("Error")), (422, "This type of source does not list its tables", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/sources/{name}", summary: "Change a data source", tag: "data", access: .admin, body: sourceRequest,
              responses: [(200, "The source", source), (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/sources/{name}", summary: "Remove a data source", tag: "data", access: .admin,
              responses: [(204, "Removed", nil), (404, "Data source not found", Schema.ref("Error")),
                          (409, "Tables are registered on it", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/source-connections", summary: "Named connections (upstream's view of the data sources)",
              tag: "data", access: .admin, responses: [(200, "Connections", Schema.array(connection))]),
        .init(method: "POST", path: "/api/admin/source-connections", summary: "Add a named connection", tag: "data", access: .admin,
              body: connectionRequest,
              responses: [(201, "The connection", connection), (400, "Unusable configuration", Schema.ref("Error")), (409, "Name taken", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/source-connections/{id}", summary: "One named connection", tag: "data", access: .admin,
              responses: [(200, "The connection", connection), (404, "Connection not found", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/source-connections/{id}", summary: "Change a named connection", tag: "data", access: .admin,
              body: connectionRequest, responses: [(200, "The connection", connection), (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/source-connections/{id}", summary: "Remove a named connection", tag: "data", access: .admin,
              responses: [(204, "Removed", nil), (404, "Data source not found", Schema.ref("Error")),
                          (409, "Tables are registered on it", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/source-connections/{id}/test", summary: "Test a named connection", tag: "data", access: .admin,
              responses: [(200, "ok with a message, or not ok with the error", Schema.of(SourceTestResult.self)),
                          (400, "The host resolves to an internal address (SSRF policy) or not at all", Schema.ref("Error")),
                          (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/source-connections/{id}/secret", summary: "Refused: secrets are never stored (name the variable)",
              tag: "data", access: .admin, responses: [(422, "Secrets are not stored", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/source-connections/{id}/secret", summary: "Refused: secrets are never stored",
              tag: "data", access: .admin, responses: [(422, "Secrets are not stored", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/registry", summary: "Registered tables", tag: "data", access: .admin,
              responses: [(200, "Tables", Schema.of(RegistryList.self))]),
        .init(method: "POST", path: "/api/admin/register-table", summary: "Register a table (its id is derived from the name)", tag: "data",
              access: .admin, body: tableFields,
              responses: [(201, "Registered", Schema.of(TableRegistered.self)),
                          (409, "Already registered", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/register-table/precheck",
              summary: "Check a registration without storing it: the table as it would be stored, the source's columns, warnings",
              tag: "data", access: .admin, body: tableFields,
              responses: [(200, "The checked registration", Schema.of(TablePrecheck.self)), (409, "Already registered", Schema.ref("Error")),
                          (422, "A field refused", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/registry/{id}", summary: "Change a registered table (also its access policy and server_only)",
              tag: "data", access: .admin, body: tableFields,
              responses: [(200, "Updated fields", Schema.of(TableUpdated.self)),
                          (404, "Table not found", Schema.ref("Error")),
                          (422, "A policy or setting refused, the detail starting with the reason (policy_note_required, …)", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/registry/{id}/policy/preview",
              summary: "What a policy (the stored one, or one to try) shows a user or a set of groups, next to the table as it is",
              tag: "data", access: .admin, body: Schema.of(PolicyPreviewRequest.self),
              responses: [(200, "The preview", Schema.of(PolicyPreview.self)), (404, "Table, user or data not found", Schema.ref("Error")),
                          (422, "A refused policy, or not exactly one persona", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/registry/{id}/policy/compile", summary: "The checked SQL of a structured policy (nothing is stored)",
              tag: "data", access: .admin, body: Schema.of(PolicyCompileRequest.self),
              responses: [(200, "The SQL and warnings", Schema.of(CompiledPolicy.self)), (404, "Table or data not found", Schema.ref("Error")),
                          (422, "A rule naming an unknown column or lacking its value", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/registry/{id}", summary: "Unregister a table (it leaves the manifest and the engine)",
              tag: "data", access: .admin, responses: [(204, "Unregistered", nil), (404, "Table not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/sync/trigger", summary: "Sync all tables, or the listed ids, in the background", tag: "data",
              access: .admin, body: Schema.of(SyncTriggerRequest.self),
              responses: [(200, "Started", Schema.of(SyncTriggerResponse.self)), (404, "Unknown table ids", Schema.ref("Error")),
                          (409, "sync_already_in_progress", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/jobs", summary: "Queue a job for the workers (sync, rebuild); an idempotency key answers its job while queued or running",
              tag: "data", access: .admin, body: Schema.of(JobRequest.self),
              responses: [(202, "Queued (or the job the key names)", Schema.of(Job.self)), (400, "Unknown kind or bad payload", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/jobs", summary: "Jobs, newest first", tag: "data", access: .admin, query: ["status", "limit"],
              responses: [(200, "Jobs", Schema.of(JobList.self)), (400, "Unknown status", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/jobs/{id}", summary: "One job", tag: "data", access: .admin,
              responses: [(200, "The job", Schema.of(Job.self)), (404, "Job not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/sync/status", summary: "Whether a sync runs, and for which tables", tag: "data", access: .anyone,
              responses: [(200, "Status", Schema.of(SyncRunStatus.self))]),
        .init(method: "GET", path: "/api/sync/history", summary: "Sync runs, newest first", tag: "data", access: .admin, query: ["table", "limit"],
              responses: [(200, "Runs", Schema.of([SyncHistoryEntry].self))]),
        .init(method: "GET", path: "/api/sync/manifest", summary: "The tables the caller may pull, with hashes; ETag / If-None-Match", tag: "data",
              access: .user, responses: [(200, "Manifest", Schema.of(Manifest.self)),
                                         (304, "Not modified", nil)]),
        .init(method: "GET", path: "/api/admin/usage", summary: "Who pulled what and when, quiet workspaces (14 days), unused tables (30 days)",
              tag: "data", access: .admin, responses: [(200, "The report", Schema.of(UsageReport.self)), (403, "Admin access required", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/sync/pull-confirm", summary: "What a finished pull did, per section (kept in the audit trail)", tag: "data",
              access: .user, body: Schema.of(PullConfirmRequest.self), responses: [(200, "Recorded", Schema.of(PullConfirmed.self))]),
        .init(method: "GET", path: "/api/data/{id}/download", summary: "The table's parquet (ETag = sha256; Range, If-Range, If-None-Match)",
              tag: "data", access: .user,
              responses: [(200, "The file", nil), (206, "Part of the file", nil), (304, "Not modified", nil),
                          (403, "Access denied to this table", Schema.ref("Error")), (404, "Table not found", Schema.ref("Error")),
                          (416, "Range not satisfiable", nil)]),
        .init(method: "HEAD", path: "/api/data/{id}/download", summary: "The download's headers", tag: "data", access: .user,
              responses: [(200, "Headers only", nil), (304, "Not modified", nil), (400, "Invalid path parameter", nil),
                          (403, "Access denied to this table", nil), (404, "Not found", nil)]),
        .init(method: "GET", path: "/api/data/{id}/parts/{part}", summary: "One month of a partitioned table (`2026-03`; same headers as download)",
              tag: "data", access: .user,
              responses: [(200, "The part", nil), (206, "Part of the part", nil), (304, "Not modified", nil),
                          (403, "Access denied to this table", Schema.ref("Error")), (404, "No such table or part", Schema.ref("Error")),
                          (416, "Range not satisfiable", nil)]),
        .init(method: "HEAD", path: "/api/data/{id}/parts/{part}", summary: "The part's headers", tag: "data", access: .user,
              responses: [(200, "Headers only", nil), (304, "Not modified", nil), (400, "Invalid path parameter", nil),
                          (403, "Access denied to this table", nil), (404, "Not found", nil)]),
        .init(method: "GET", path: "/api/catalog/tables", summary: "The tables you may read: id, name, description, source, strategy, mode",
              tag: "catalog", access: .user, responses: [(200, "Tables", Schema.of(CatalogTableList.self))]),
        .init(method: "GET", path: "/api/catalog/profile/{id}", summary: "The table's stored profile (columns, null fractions, top values, sample)",
              tag: "catalog", access: .user,
              responses: [(200, "Profile", Schema.of(CatalogProfile.self)), (403, "not authorized for this table", Schema.ref("Error")), (404, "No such table or profile", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/v2/catalog", summary: "The tables you may read with rows, size, size hint and freshness",
              tag: "catalog", access: .user, responses: [(200, "Catalog", Schema.of(Catalog.self))]),
        .init(method: "GET", path: "/api/v2/schema/{id}", summary: "The table's columns (name, type, nullable, description)", tag: "catalog",
              access: .user,
              responses: [(200, "Schema", Schema.of(TableSchema.self)),
                          (403, "not authorized for this table", Schema.ref("Error")), (404, "table not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/v2/sample/{id}", summary: "n rows of the table (1 ≤ n ≤ 100, default 5)", tag: "catalog", access: .user,
              responses: [(200, "Rows as objects", Schema.of(TableSample.self)),
                          (403, "not authorized for this table", Schema.ref("Error")), (404, "table not found", Schema.ref("Error")),
                          (422, "n out of range", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/v2/scan/estimate", summary: "What a scan would read and return, from parquet row-group statistics",
              tag: "catalog", access: .user, body: Schema.of(ScanRequest.self),
              responses: [(200, "Estimate", Schema.of(ScanEstimate.self)),
                          (400, "validator_rejected, unknown columns or a bad limit", Schema.ref("Error")),
                          (403, "not authorized for this table", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/v2/scan", summary: "Parquet of the selected columns of the rows matching `where` (ordered, limited)",
              tag: "catalog", access: .user, body: Schema.of(ScanRequest.self),
              responses: [(200, "application/vnd.apache.parquet", nil), (400, "validator_rejected, unknown columns or a bad limit", Schema.ref("Error")),
                          (403, "not authorized for this table", Schema.ref("Error")), (404, "table not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/query", summary: "Run one SELECT over the tables you may see (row cap, time limit, audited)",
              tag: "data", access: .user, body: Schema.of(QueryRequest.self),
              responses: [(200, "Rows", Schema.of(QueryResult.self)),
                          (400, "Not a single SELECT, a forbidden function, an unknown table, DuckDB's error, or remote tables over "
                           + "the scan cap (`detail`: `{reason: remote_scan_too_large, scan_bytes, limit_bytes, tables, view_targets, suggestion}`)",
                           Schema.ref("Error")),
                          (403, "Access denied to table", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/data/{id}/check-access", summary: "May the caller download the table?", tag: "data", access: .user,
              responses: [(204, "Yes", nil), (403, "Access denied to this table", Schema.ref("Error")), (404, "Table not found", Schema.ref("Error"))]),
    ]

    static let template = Schema.of(WelcomeTemplate.self)

    /// What `agnes init` and `agnes push` use.
    static let workspace: [APIOperation] = [
        .init(method: "GET", path: "/api/welcome", summary: "The workspace CLAUDE.md, rendered for the caller (tables they may read)",
              tag: "workspace", access: .user, query: ["server_url"],
              responses: [(200, "The rendered template", Schema.of(TextContent.self))]),
        .init(method: "GET", path: "/api/admin/welcome-template", summary: "The workspace CLAUDE.md template (Mustache)", tag: "workspace",
              access: .admin, responses: [(200, "The template", template)]),
        .init(method: "PUT", path: "/api/admin/welcome-template", summary: "Replace the workspace template", tag: "workspace", access: .admin,
              body: Schema.of(TextContent.self),
              responses: [(200, "The template", template), (400, "The template does not parse", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/welcome-template", summary: "Go back to the built-in template", tag: "workspace", access: .admin,
              responses: [(200, "The template", template)]),
        .init(method: "POST", path: "/api/upload/sessions", summary: "Upload a session transcript (multipart field `file`, at most 50 MiB)",
              tag: "workspace", access: .user, body: Schema.object(["file": ["type": "string", "format": "binary"]], required: ["file"]),
              bodyType: "multipart/form-data",
              responses: [(200, "Stored", Schema.of(SessionUploaded.self)),
                          (400, "Invalid filename or a malformed body", Schema.ref("Error")), (413, "File too large (max 50MB)", Schema.ref("Error")),
                          (415, "Not multipart/form-data", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/upload/local-md", summary: "Upload the workspace's CLAUDE.local.md", tag: "workspace", access: .user,
              body: Schema.of(TextContent.self),
              responses: [(200, "Stored", Schema.of(NotesUploaded.self)),
                          (413, "Larger than 1 MiB", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/upload/mine", summary: "The caller's uploads, newest first", tag: "workspace", access: .user, query: ["limit"],
              responses: [(200, "Uploads", Schema.of(UploadList.self))]),
    ]

    static let knowledgeItem = Schema.of(KnowledgeListing.self)
    static let knowledgeDraft = Schema.of(KnowledgeDraftRequest.self)
    static let reviewAnswer = Schema.of(ReviewResult.self)

    /// Corporate memory.
    static let memory: [APIOperation] = [
        .init(method: "GET", path: "/api/memory", summary: "Items you may see: filters, full-text search, pages", tag: "memory", access: .user,
              query: ["status_filter", "category", "domain", "tag", "search", "page", "per_page"],
              responses: [(200, "A page", Schema.of(MemoryPage.self)),
                          (400, "Bad status or page", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/memory", summary: "Propose an item (status proposed)", tag: "memory", access: .user, body: knowledgeDraft,
              responses: [(201, "The item", knowledgeItem), (400, "Invalid domain or audience", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/memory/stats", summary: "Counts by status, category and domain", tag: "memory", access: .user,
              responses: [(200, "Counts", Schema.of(MemoryStats.self))]),
        .init(method: "GET", path: "/api/memory/bundle", summary: "Mandatory and approved items for workspace rules (ETag); ?domain=<slug>: one memory domain of the stack",
              tag: "memory", access: .user, query: ["domain"],
              responses: [(200, "The bundle", Schema.of(MemoryBundle.self)), (304, "Not modified", nil),
                          (404, "No such memory domain in the caller's stack", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/memory/my-votes", summary: "Your votes: item id → vote", tag: "memory", access: .user,
              responses: [(200, "Votes", Schema.of([String: Int].self))]),
        .init(method: "GET", path: "/api/memory/{id}", summary: "One item", tag: "memory", access: .user,
              responses: [(200, "The item", knowledgeItem), (404, "Knowledge item not found", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/memory/{id}", summary: "Edit an item (contributors, reviewers); approved items return to review",
              tag: "memory", access: .user, body: knowledgeDraft,
              responses: [(200, "The item", knowledgeItem), (403, "Not a contributor or reviewer", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/memory/{id}/vote", summary: "Vote +1 or -1, or 0 to withdraw", tag: "memory", access: .user,
              body: Schema.of(VoteRequest.self),
              responses: [(200, "Totals", Schema.of(VoteResult.self)), (400, "Bad vote", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/memory/admin/pending", summary: "Proposed items in the categories you review", tag: "memory", access: .user,
              query: ["category", "page", "per_page"],
              responses: [(200, "Items", Schema.of(ReviewQueuePage.self)),
                          (403, "Reviewer access required", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/memory/admin/{id}", summary: "Edit an item as a reviewer", tag: "memory", access: .user, body: knowledgeDraft,
              responses: [(200, "The item", knowledgeItem), (403, "Only contributors and reviewers may edit this item", Schema.ref("Error"))]),
    ] + ReviewAction.allCases.map { action in
        .init(method: "POST", path: "/api/memory/admin/\(action.rawValue)", summary: "Review: \(action.rawValue) an item (admins, knowledge_category grant)",
              tag: "memory", access: .user, query: ["item_id"], body: Schema.of(ReviewRequest.self),
              responses: [(200, "The new status", reviewAnswer), (403, "Not a reviewer of the item's category", Schema.ref("Error")),
                          (404, "Knowledge item not found", Schema.ref("Error"))])
    }

    static let metric = Schema.of(MetricDefinition.self)

    /// Metric definitions.
    static let metrics: [APIOperation] = [
        .init(method: "GET", path: "/api/metrics", summary: "Metric definitions", tag: "metrics", access: .user, query: ["category"],
              responses: [(200, "Metrics", Schema.of(MetricList.self))]),
        .init(method: "GET", path: "/api/metrics/{category}/{name}", summary: "One metric", tag: "metrics", access: .user,
              responses: [(200, "The metric", metric), (403, "The metric uses tables you may not read", Schema.ref("Error")),
                          (404, "Metric not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/metrics", summary: "Create or replace a metric", tag: "metrics", access: .admin, body: Schema.of(MetricRequest.self),
              responses: [(201, "The metric", metric), (400, "Bad name or category", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/metrics/{category}/{name}", summary: "Replace a metric", tag: "metrics", access: .admin, body: Schema.of(MetricRequest.self),
              responses: [(200, "The metric", metric), (404, "Metric not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/metrics/{category}/{name}", summary: "Delete a metric", tag: "metrics", access: .admin,
              responses: [(200, "Deleted", Schema.of(MetricDeleted.self)), (404, "Metric not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/metrics/import", summary: "Import YAML files ({files: [{path, content}]} or multipart file)",
              tag: "metrics", access: .admin, body: Schema.of(MetricFiles.self),
              responses: [(200, "Imported", Schema.of(MetricsImported.self)),
                          (400, "A file that is not valid, named", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/metrics/export", summary: "Every metric as canonical YAML files", tag: "metrics", access: .admin,
              responses: [(200, "Files", Schema.of(MetricFiles.self))]),
        .init(method: "POST", path: "/api/admin/metrics/validate", summary: "EXPLAIN each metric's SQL on the query engine", tag: "metrics",
              access: .admin, responses: [(200, "Results", Schema.of(MetricValidation.self))]),
    ]
}
