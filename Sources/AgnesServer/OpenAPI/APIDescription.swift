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
    static let anyObject: JSONValue = ["type": "object"]
    static func nullable(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        .object(["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string))])
    }
}

enum APIDescription {
    static let operations: [APIOperation] = health + auth + tokens + users + groups + grants + access + audit + data + workspace + memory + metrics

    static let health: [APIOperation] = [
        .init(method: "GET", path: "/api/health", summary: "Liveness and state schema status", tag: "health", access: .anyone,
              responses: [(200, "Health", Schema.ref("Health"))]),
        .init(method: "GET", path: "/api/health/detailed", summary: "State database, data freshness and users", tag: "health", access: .user,
              responses: [(200, "Detailed health", Schema.anyObject)]),
        .init(method: "GET", path: "/api/version", summary: "Build and schema version", tag: "health", access: .anyone,
              responses: [(200, "Version", Schema.ref("Version"))]),
        .init(method: "GET", path: "/metrics", summary: "Prometheus metrics (text exposition format)", tag: "health", access: .anyone,
              responses: [(200, "Metrics", nil)]),
        .init(method: "GET", path: "/api/openapi.json", summary: "This document", tag: "health", access: .anyone,
              responses: [(200, "OpenAPI document", Schema.anyObject)]),
    ]

    static let credentials = Schema.object(["email": Schema.string, "password": Schema.string], required: ["email", "password"])
    static let emailAndToken = Schema.object(["email": Schema.string, "token": Schema.string], required: ["email", "token"])
    static let message = Schema.object(["message": Schema.string])
    static let form = "application/x-www-form-urlencoded"

    static let auth: [APIOperation] = [
        .init(method: "POST", path: "/auth/token", summary: "Sign in with email and password (CLI)", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "password": Schema.string], required: ["email"]),
              responses: [(200, "Session token", Schema.ref("TokenResponse")), (401, "Wrong credentials", Schema.ref("Error")),
                          (429, "Rate limited", Schema.ref("Error"))]),
        .init(method: "POST", path: "/auth/password/login", summary: "Sign in with email and password", tag: "auth", access: .anyone,
              body: credentials, responses: [(200, "Session token", Schema.ref("TokenResponse")), (401, "Wrong credentials", Schema.ref("Error"))]),
        .init(method: "POST", path: "/auth/password/login/web", summary: "Browser sign-in form; sets the session cookie", tag: "auth",
              access: .anyone, body: Schema.object(["email": Schema.string, "password": Schema.string, "next": Schema.string]), bodyType: form,
              responses: [(302, "Redirect to a same-site `next`, or back to the login page", nil)]),
        .init(method: "POST", path: "/auth/bootstrap", summary: "Create the first administrator (only while no user has a password)",
              tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "name": Schema.string, "password": Schema.string], required: ["email", "password"]),
              responses: [(200, "Session token", Schema.ref("TokenResponse")), (403, "Bootstrap closed", Schema.ref("Error"))]),
        .init(method: "POST", path: "/auth/password/setup", summary: "Set a password with a setup token", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "token": Schema.string, "password": Schema.string], required: ["email", "token", "password"]),
              responses: [(200, "Session token", Schema.ref("TokenResponse")), (400, "Invalid or expired token", Schema.ref("Error")),
                          (404, "User not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/password/setup", summary: "HTML form behind a setup link", tag: "auth", access: .anyone,
              query: ["email", "token"], responses: [(200, "HTML page", nil)]),
        .init(method: "POST", path: "/auth/password/setup/request", summary: "Ask for a new setup link", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string], required: ["email"]), bodyType: form, responses: [(200, "Same answer for every email", nil)]),
        .init(method: "POST", path: "/auth/password/setup/confirm", summary: "Set the password from the setup form", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "token": Schema.string, "password": Schema.string, "confirm_password": Schema.string,
                                   "name": Schema.string]), bodyType: form,
              responses: [(302, "Signed in; cookie set", nil), (400, "Invalid token or password", nil)]),
        .init(method: "GET", path: "/auth/password/reset", summary: "HTML form: ask for a reset link, or set the new password", tag: "auth",
              access: .anyone, query: ["email", "token"], responses: [(200, "HTML page", nil)]),
        .init(method: "POST", path: "/auth/password/reset", summary: "Ask for a password reset link", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string], required: ["email"]), bodyType: form,
              responses: [(200, "Same answer for every email", message)]),
        .init(method: "POST", path: "/auth/password/reset/confirm", summary: "Set a new password with a reset token", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string, "token": Schema.string, "password": Schema.string, "confirm_password": Schema.string]),
              bodyType: form, responses: [(302, "Signed in; cookie set", nil), (400, "Invalid token or password", nil)]),
        .init(method: "POST", path: "/auth/email/send-link", summary: "Send a magic sign-in link", tag: "auth", access: .anyone,
              body: Schema.object(["email": Schema.string], required: ["email"]), responses: [(200, "Same answer for every email", message)]),
        .init(method: "POST", path: "/auth/email/verify", summary: "Trade a magic link's token for a session token", tag: "auth", access: .anyone,
              body: emailAndToken, responses: [(200, "Session token", Schema.ref("TokenResponse")), (401, "Invalid or expired link", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/email/verify", summary: "The magic link itself: sets the session cookie", tag: "auth", access: .anyone,
              query: ["email", "token"], responses: [(302, "Signed in; cookie set", nil), (401, "Invalid or expired link", nil)]),
    ]

    static let tokens: [APIOperation] = [
        .init(method: "POST", path: "/auth/tokens", summary: "Create a personal access token (shown once)", tag: "tokens", access: .session,
              body: Schema.object(["name": Schema.string, "expires_in_days": Schema.nullable(Schema.integer), "scope": Schema.string,
                                   "ttl_seconds": Schema.nullable(Schema.integer)], required: ["name"]),
              responses: [(201, "The token", Schema.ref("CreatedToken")), (400, "Invalid lifetime or name", Schema.ref("Error")),
                          (403, "Needs an interactive session", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/tokens", summary: "The caller's tokens", tag: "tokens", access: .user,
              responses: [(200, "Tokens", Schema.array(Schema.ref("Token")))]),
        .init(method: "GET", path: "/auth/tokens/{id}", summary: "One of the caller's tokens", tag: "tokens", access: .user,
              responses: [(200, "Token", Schema.ref("Token")), (404, "Token not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/auth/tokens/{id}", summary: "Revoke one of the caller's tokens", tag: "tokens", access: .user,
              responses: [(204, "Revoked", nil), (404, "Token not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/auth/admin/tokens", summary: "Every user's tokens", tag: "tokens", access: .admin,
              responses: [(200, "Tokens with their owners", Schema.array(Schema.ref("Token")))]),
        .init(method: "DELETE", path: "/auth/admin/tokens/{id}", summary: "Revoke any token", tag: "tokens", access: .admin,
              responses: [(204, "Revoked", nil), (404, "Token not found", Schema.ref("Error"))]),
    ]

    static let users: [APIOperation] = [
        .init(method: "GET", path: "/api/users", summary: "List users", tag: "users", access: .admin,
              responses: [(200, "Users", Schema.array(Schema.ref("User")))]),
        .init(method: "POST", path: "/api/users", summary: "Create a user (optionally with an invitation link)", tag: "users", access: .admin,
              body: Schema.object(["email": Schema.string, "name": Schema.string, "send_invite": Schema.boolean], required: ["email"]),
              responses: [(201, "The user", Schema.ref("User")), (409, "Email taken", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/users/{id}", summary: "One user", tag: "users", access: .admin,
              responses: [(200, "The user", Schema.ref("User")), (404, "User not found", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/users/{id}", summary: "Rename, deactivate or reactivate a user", tag: "users", access: .admin,
              body: Schema.object(["name": Schema.string, "active": Schema.boolean]),
              responses: [(200, "The user", Schema.ref("User")), (409, "Would remove yourself or the last admin", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/users/{id}", summary: "Delete a user with their memberships and tokens", tag: "users", access: .admin,
              responses: [(204, "Deleted", nil), (409, "Would remove yourself or the last admin", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/users/{id}/deactivate", summary: "Deactivate a user", tag: "users", access: .admin,
              responses: [(200, "The user", Schema.ref("User")), (409, "Would remove yourself or the last admin", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/users/{id}/activate", summary: "Reactivate a user", tag: "users", access: .admin,
              responses: [(200, "The user", Schema.ref("User"))]),
        .init(method: "POST", path: "/api/users/{id}/reset-password", summary: "Issue (and mail) a password reset link", tag: "users",
              access: .admin, responses: [(200, "The link", Schema.object(["reset_url": Schema.string, "email_sent": Schema.boolean]))]),
        .init(method: "POST", path: "/api/users/{id}/set-password", summary: "Set a user's password", tag: "users", access: .admin,
              body: Schema.object(["password": Schema.string], required: ["password"]),
              responses: [(204, "Set", nil), (400, "Password too short", Schema.ref("Error"))]),
    ]

    static let groups: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/groups", summary: "List groups", tag: "groups", access: .admin,
              responses: [(200, "Groups", Schema.array(Schema.ref("Group")))]),
        .init(method: "POST", path: "/api/admin/groups", summary: "Create a group", tag: "groups", access: .admin,
              body: Schema.object(["name": Schema.string, "description": Schema.string], required: ["name"]),
              responses: [(201, "The group", Schema.ref("Group")), (409, "Name taken", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/groups/{gid}", summary: "One group", tag: "groups", access: .admin,
              responses: [(200, "The group", Schema.ref("Group")), (404, "Group not found", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/admin/groups/{gid}", summary: "Rename or describe a group", tag: "groups", access: .admin,
              body: Schema.object(["name": Schema.string, "description": Schema.string]),
              responses: [(200, "The group", Schema.ref("Group")), (409, "System group or name taken", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/groups/{gid}", summary: "Delete a group with its memberships and grants", tag: "groups",
              access: .admin, responses: [(204, "Deleted", nil), (409, "Cannot delete a system group", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/groups/{gid}/members", summary: "Members of a group", tag: "groups", access: .admin,
              responses: [(200, "Members", Schema.array(Schema.ref("Member")))]),
        .init(method: "POST", path: "/api/admin/groups/{gid}/members", summary: "Add a user to a group", tag: "groups", access: .admin,
              body: Schema.object(["email": Schema.string], required: ["email"]),
              responses: [(201, "The membership", Schema.ref("Member")), (404, "Unknown user or group", Schema.ref("Error")),
                          (409, "Already a member", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/groups/{gid}/members/{uid}", summary: "Remove an admin-managed membership", tag: "groups",
              access: .admin, responses: [(204, "Removed", nil), (404, "No such membership", Schema.ref("Error")),
                                          (409, "Last active admin", Schema.ref("Error"))]),
    ]

    static let grants: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/grants", summary: "List grants", tag: "grants", access: .admin, query: ["resource_type", "group_id"],
              responses: [(200, "Grants", Schema.array(Schema.ref("Grant"))), (400, "Unknown resource type", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/grants", summary: "Grant a resource to a group", tag: "grants", access: .admin,
              body: Schema.object(["group_id": Schema.string, "resource_type": Schema.string, "resource_id": Schema.string],
                                  required: ["group_id", "resource_type", "resource_id"]),
              responses: [(201, "The grant", Schema.ref("Grant")), (400, "Unknown resource type", Schema.ref("Error")),
                          (404, "Group not found", Schema.ref("Error")), (409, "Grant exists", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/grants/{id}", summary: "Revoke a grant", tag: "grants", access: .admin,
              responses: [(204, "Revoked", nil), (404, "Grant not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/resource-types", summary: "The resource types grants can name", tag: "grants", access: .admin,
              responses: [(200, "Resource types", Schema.array(Schema.object(["key": Schema.string, "display_name": Schema.string,
                                                                                "description": Schema.string, "id_format": Schema.string])))]),
    ]

    static let access: [APIOperation] = [
        .init(method: "GET", path: "/api/me/effective-access", summary: "The caller's groups and every resource they may use", tag: "access",
              access: .user, responses: [(200, "Effective access", Schema.ref("EffectiveAccess"))]),
        .init(method: "GET", path: "/api/admin/users/{uid}/effective-access", summary: "A user's effective access", tag: "access",
              access: .admin, responses: [(200, "Effective access", Schema.ref("EffectiveAccess")), (404, "User not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/users/{uid}/memberships", summary: "A user's groups", tag: "access", access: .admin,
              responses: [(200, "Memberships", Schema.array(Schema.ref("Membership")))]),
        .init(method: "POST", path: "/api/admin/users/{uid}/memberships", summary: "Add a user to a group", tag: "access", access: .admin,
              body: Schema.object(["group_id": Schema.string], required: ["group_id"]),
              responses: [(201, "The membership", Schema.ref("Membership")), (409, "Already a member", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/users/{uid}/memberships/{gid}", summary: "Remove an admin-managed membership", tag: "access",
              access: .admin, responses: [(204, "Removed", nil), (404, "No such membership", Schema.ref("Error"))]),
    ]

    static let audit: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/audit", summary: "The audit trail, newest first, in pages of at most 1,000", tag: "audit",
              access: .admin, query: ["user_id", "action", "action_prefix", "resource", "result", "since", "until", "limit", "cursor"],
              responses: [(200, "A page", Schema.object(["rows": Schema.array(Schema.ref("AuditEntry")), "next_cursor": Schema.nullable(Schema.string),
                                                         "limit": Schema.integer]))]),
    ]

    static let tableFields = Schema.object([
        "name": Schema.string, "source_name": Schema.string, "source_type": Schema.string, "bucket": Schema.string,
        "source_table": Schema.string, "source_query": Schema.string, "query_mode": Schema.string, "sync_strategy": Schema.string,
        "sync_schedule": Schema.string, "primary_key": Schema.array(Schema.string), "incremental_column": Schema.string,
        "partition_by": Schema.string, "folder": Schema.string, "description": Schema.string,
    ])
    static let source = Schema.object(["name": Schema.string, "type": Schema.string, "config": Schema.anyObject,
                                       "secret_env": Schema.array(Schema.string)], required: ["type", "config"])

    static let data: [APIOperation] = [
        .init(method: "GET", path: "/api/admin/sources", summary: "Data sources (connector instances)", tag: "data", access: .admin,
              responses: [(200, "Sources", Schema.array(source))]),
        .init(method: "POST", path: "/api/admin/sources", summary: "Add a data source", tag: "data", access: .admin, body: source,
              responses: [(201, "The source", source), (400, "Unusable configuration", Schema.ref("Error")), (409, "Name taken", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/sources/{name}/test", summary: "Read the source as a sync would and say what was found",
              tag: "data", access: .admin,
              responses: [(200, "ok with a message, or not ok with the error", Schema.object(["ok": Schema.boolean, "message": Schema.nullable(Schema.string), "error": Schema.nullable(Schema.string)],
                                                                                        required: ["ok", "message", "error"])),
                          (400, "The host resolves to an internal address (SSRF policy) or not at all", Schema.ref("Error")),
                          (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/sources/{name}", summary: "Change a data source", tag: "data", access: .admin, body: source,
              responses: [(200, "The source", source), (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/sources/{name}", summary: "Remove a data source", tag: "data", access: .admin,
              responses: [(204, "Removed", nil), (404, "Data source not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/registry", summary: "Registered tables", tag: "data", access: .admin,
              responses: [(200, "Tables", Schema.object(["tables": Schema.array(tableFields), "count": Schema.integer]))]),
        .init(method: "POST", path: "/api/admin/register-table", summary: "Register a table (its id is derived from the name)", tag: "data",
              access: .admin, body: tableFields,
              responses: [(201, "Registered", Schema.object(["id": Schema.string, "name": Schema.string, "status": Schema.string])),
                          (409, "Already registered", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/registry/{id}", summary: "Change a registered table", tag: "data", access: .admin, body: tableFields,
              responses: [(200, "Updated fields", Schema.object(["id": Schema.string, "updated": Schema.array(Schema.string)])),
                          (404, "Table not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/registry/{id}", summary: "Unregister a table (it leaves the manifest and the engine)",
              tag: "data", access: .admin, responses: [(204, "Unregistered", nil), (404, "Table not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/sync/trigger", summary: "Sync all tables, or the listed ids, in the background", tag: "data",
              access: .admin, body: Schema.object(["tables": Schema.array(Schema.string)]),
              responses: [(200, "Started", Schema.object(["status": Schema.string, "tables": Schema.array(Schema.string), "message": Schema.string])),
                          (409, "sync_already_in_progress", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/sync/status", summary: "Whether a sync runs, and for which tables", tag: "data", access: .anyone,
              responses: [(200, "Status", Schema.object(["locked": Schema.boolean, "running": Schema.array(Schema.string)]))]),
        .init(method: "GET", path: "/api/sync/history", summary: "Sync runs, newest first", tag: "data", access: .admin, query: ["table", "limit"],
              responses: [(200, "Runs", Schema.array(Schema.anyObject))]),
        .init(method: "GET", path: "/api/sync/manifest", summary: "The tables the caller may pull, with hashes; ETag / If-None-Match", tag: "data",
              access: .user, responses: [(200, "Manifest", Schema.object(["tables": Schema.anyObject, "assets": Schema.anyObject,
                                                                         "server_time": Schema.dateTime, "version": Schema.integer])),
                                         (304, "Not modified", nil)]),
        .init(method: "GET", path: "/api/data/{id}/download", summary: "The table's parquet (ETag = sha256; Range, If-Range, If-None-Match)",
              tag: "data", access: .user,
              responses: [(200, "The file", nil), (206, "Part of the file", nil), (304, "Not modified", nil),
                          (403, "Access denied to this table", Schema.ref("Error")), (404, "Table not found", Schema.ref("Error")),
                          (416, "Range not satisfiable", nil)]),
        .init(method: "HEAD", path: "/api/data/{id}/download", summary: "The download's headers", tag: "data", access: .user,
              responses: [(200, "Headers only", nil)]),
        .init(method: "GET", path: "/api/data/{id}/parts/{part}", summary: "One month of a partitioned table (`2026-03`; same headers as download)",
              tag: "data", access: .user,
              responses: [(200, "The part", nil), (206, "Part of the part", nil), (304, "Not modified", nil),
                          (403, "Access denied to this table", Schema.ref("Error")), (404, "No such table or part", Schema.ref("Error")),
                          (416, "Range not satisfiable", nil)]),
        .init(method: "HEAD", path: "/api/data/{id}/parts/{part}", summary: "The part's headers", tag: "data", access: .user,
              responses: [(200, "Headers only", nil)]),
        .init(method: "GET", path: "/api/catalog/tables", summary: "The tables you may read: id, name, description, source, strategy, mode",
              tag: "catalog", access: .user, responses: [(200, "Tables", Schema.object(["tables": Schema.array(Schema.anyObject), "count": Schema.integer]))]),
        .init(method: "GET", path: "/api/catalog/profile/{id}", summary: "The table's stored profile (columns, null fractions, top values, sample)",
              tag: "catalog", access: .user,
              responses: [(200, "Profile", Schema.anyObject), (403, "not authorized for this table", Schema.ref("Error")), (404, "No such table or profile", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/v2/catalog", summary: "The tables you may read with rows, size, size hint and freshness",
              tag: "catalog", access: .user, responses: [(200, "Catalog", Schema.object(["tables": Schema.array(Schema.anyObject), "server_time": Schema.dateTime]))]),
        .init(method: "GET", path: "/api/v2/schema/{id}", summary: "The table's columns (name, type, nullable, description)", tag: "catalog",
              access: .user,
              responses: [(200, "Schema", Schema.object(["table_id": Schema.string, "columns": Schema.array(Schema.anyObject)])),
                          (403, "not authorized for this table", Schema.ref("Error")), (404, "table not found", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/v2/sample/{id}", summary: "n rows of the table (1 ≤ n ≤ 100, default 5)", tag: "catalog", access: .user,
              responses: [(200, "Rows as objects", Schema.object(["table_id": Schema.string, "rows": Schema.array(Schema.anyObject), "source": Schema.string])),
                          (403, "not authorized for this table", Schema.ref("Error")), (404, "table not found", Schema.ref("Error")),
                          (422, "n out of range", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/v2/scan/estimate", summary: "What a scan would read and return, from parquet row-group statistics",
              tag: "catalog", access: .user, body: Schema.object(["table_id": Schema.string, "select": Schema.array(Schema.string), "where": Schema.string, "limit": Schema.integer, "order_by": Schema.array(Schema.string), "as": Schema.string], required: ["table_id"]),
              responses: [(200, "Estimate", Schema.object(["table_id": Schema.string, "estimated_scan_bytes": Schema.integer,
                                                          "estimated_result_rows": Schema.nullable(Schema.integer),
                                                          "estimated_result_bytes": Schema.nullable(Schema.integer)])),
                          (400, "validator_rejected, unknown columns or a bad limit", Schema.ref("Error")),
                          (403, "not authorized for this table", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/v2/scan", summary: "Parquet of the selected columns of the rows matching `where` (ordered, limited)",
              tag: "catalog", access: .user, body: Schema.object(["table_id": Schema.string, "select": Schema.array(Schema.string), "where": Schema.string, "limit": Schema.integer, "order_by": Schema.array(Schema.string), "as": Schema.string], required: ["table_id"]),
              responses: [(200, "application/vnd.apache.parquet", nil), (400, "validator_rejected, unknown columns or a bad limit", Schema.ref("Error")),
                          (403, "not authorized for this table", Schema.ref("Error")), (404, "table not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/query", summary: "Run one SELECT over the tables you may see (row cap, time limit, audited)",
              tag: "data", access: .user, body: Schema.object(["sql": Schema.string, "limit": Schema.integer], required: ["sql"]),
              responses: [(200, "Rows", Schema.object(["columns": Schema.array(Schema.string), "rows": Schema.array(Schema.array(Schema.anyObject)),
                                                      "row_count": Schema.integer, "truncated": Schema.boolean])),
                          (400, "Not a single SELECT, a forbidden function, an unknown table or DuckDB's error", Schema.ref("Error")),
                          (403, "Access denied to table", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/data/{id}/check-access", summary: "May the caller download the table?", tag: "data", access: .user,
              responses: [(204, "Yes", nil), (403, "Access denied to this table", Schema.ref("Error")), (404, "Table not found", Schema.ref("Error"))]),
    ]

    static let template = Schema.object(["key": Schema.string, "content": Schema.string, "is_default": Schema.boolean,
                                         "updated_at": Schema.nullable(Schema.dateTime), "updated_by": Schema.nullable(Schema.string)])

    /// What `agnes init` and `agnes push` use.
    static let workspace: [APIOperation] = [
        .init(method: "GET", path: "/api/welcome", summary: "The workspace CLAUDE.md, rendered for the caller (tables they may read)",
              tag: "workspace", access: .user, query: ["server_url"],
              responses: [(200, "The rendered template", Schema.object(["content": Schema.string]))]),
        .init(method: "GET", path: "/api/admin/welcome-template", summary: "The workspace CLAUDE.md template (Mustache)", tag: "workspace",
              access: .admin, responses: [(200, "The template", template)]),
        .init(method: "PUT", path: "/api/admin/welcome-template", summary: "Replace the workspace template", tag: "workspace", access: .admin,
              body: Schema.object(["content": Schema.string], required: ["content"]),
              responses: [(200, "The template", template), (400, "The template does not parse", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/welcome-template", summary: "Go back to the built-in template", tag: "workspace", access: .admin,
              responses: [(200, "The template", template)]),
        .init(method: "POST", path: "/api/upload/sessions", summary: "Upload a session transcript (multipart field `file`, at most 50 MiB)",
              tag: "workspace", access: .user, body: Schema.object(["file": ["type": "string", "format": "binary"]], required: ["file"]),
              bodyType: "multipart/form-data",
              responses: [(200, "Stored", Schema.object(["status": Schema.string, "filename": Schema.string, "size": Schema.integer, "sha256": Schema.string])),
                          (400, "Invalid filename or a malformed body", Schema.ref("Error")), (413, "File too large (max 50MB)", Schema.ref("Error")),
                          (415, "Not multipart/form-data", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/upload/local-md", summary: "Upload the workspace's CLAUDE.local.md", tag: "workspace", access: .user,
              body: Schema.object(["content": Schema.string], required: ["content"]),
              responses: [(200, "Stored", Schema.object(["status": Schema.string, "user": Schema.string, "size": Schema.integer])),
                          (413, "Larger than 1 MiB", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/upload/mine", summary: "The caller's uploads, newest first", tag: "workspace", access: .user, query: ["limit"],
              responses: [(200, "Uploads", Schema.object(["uploads": Schema.array(Schema.anyObject)]))]),
    ]

    static let knowledgeItem = Schema.object([
        "id": Schema.string, "title": Schema.string, "content": Schema.nullable(Schema.string), "category": Schema.nullable(Schema.string),
        "domain": Schema.nullable(Schema.string), "tags": Schema.array(Schema.string), "status": Schema.string,
        "audience": Schema.nullable(Schema.string), "contributors": Schema.array(Schema.string), "upvotes": Schema.integer,
        "downvotes": Schema.integer, "my_vote": Schema.integer, "created_at": Schema.dateTime, "updated_at": Schema.dateTime,
    ])
    static let knowledgeDraft = Schema.object(["title": Schema.string, "content": Schema.string, "category": Schema.string, "domain": Schema.string,
                                               "tags": Schema.array(Schema.string), "audience": Schema.string, "confidence": Schema.integer])
    static let reviewAnswer = Schema.object(["id": Schema.string, "status": Schema.string])

    /// Corporate memory.
    static let memory: [APIOperation] = [
        .init(method: "GET", path: "/api/memory", summary: "Items you may see: filters, full-text search, pages", tag: "memory", access: .user,
              query: ["status_filter", "category", "domain", "tag", "search", "page", "per_page"],
              responses: [(200, "A page", Schema.object(["items": Schema.array(knowledgeItem), "count": Schema.integer, "page": Schema.integer,
                                                         "per_page": Schema.integer, "total_count": Schema.integer, "total_pages": Schema.integer])),
                          (400, "Bad status or page", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/memory", summary: "Propose an item (status proposed)", tag: "memory", access: .user, body: knowledgeDraft,
              responses: [(201, "The item", knowledgeItem), (400, "Invalid domain or audience", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/memory/stats", summary: "Counts by status, category and domain", tag: "memory", access: .user,
              responses: [(200, "Counts", Schema.anyObject)]),
        .init(method: "GET", path: "/api/memory/bundle", summary: "Mandatory and approved items for workspace rules (ETag)", tag: "memory",
              access: .user, responses: [(200, "The bundle", Schema.object(["mandatory": Schema.array(knowledgeItem), "approved": Schema.array(knowledgeItem),
                                                                            "token_estimate": Schema.integer, "token_budget": Schema.integer])),
                                         (304, "Not modified", nil)]),
        .init(method: "GET", path: "/api/memory/my-votes", summary: "Your votes: item id → vote", tag: "memory", access: .user,
              responses: [(200, "Votes", Schema.anyObject)]),
        .init(method: "GET", path: "/api/memory/{id}", summary: "One item", tag: "memory", access: .user,
              responses: [(200, "The item", knowledgeItem), (404, "Knowledge item not found", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/memory/{id}", summary: "Edit an item (contributors, reviewers); approved items return to review",
              tag: "memory", access: .user, body: knowledgeDraft,
              responses: [(200, "The item", knowledgeItem), (403, "Not a contributor or reviewer", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/memory/{id}/vote", summary: "Vote +1 or -1, or 0 to withdraw", tag: "memory", access: .user,
              body: Schema.object(["vote": Schema.integer], required: ["vote"]),
              responses: [(200, "Totals", Schema.object(["upvotes": Schema.integer, "downvotes": Schema.integer])), (400, "Bad vote", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/memory/admin/pending", summary: "Proposed items in the categories you review", tag: "memory", access: .user,
              query: ["category", "page", "per_page"],
              responses: [(200, "Items", Schema.object(["items": Schema.array(knowledgeItem), "count": Schema.integer])),
                          (403, "Reviewer access required", Schema.ref("Error"))]),
        .init(method: "PATCH", path: "/api/memory/admin/{id}", summary: "Edit an item as a reviewer", tag: "memory", access: .user, body: knowledgeDraft,
              responses: [(200, "The item", knowledgeItem)]),
    ] + ReviewAction.allCases.map { action in
        .init(method: "POST", path: "/api/memory/admin/\(action.rawValue)", summary: "Review: \(action.rawValue) an item (admins, knowledge_category grant)",
              tag: "memory", access: .user, query: ["item_id"], body: Schema.object(["reason": Schema.string, "audience": Schema.string]),
              responses: [(200, "The new status", reviewAnswer), (403, "Not a reviewer of the item's category", Schema.ref("Error")),
                          (404, "Knowledge item not found", Schema.ref("Error"))])
    }

    static let metric = Schema.object([
        "id": Schema.string, "name": Schema.string, "display_name": Schema.nullable(Schema.string), "category": Schema.string,
        "description": Schema.nullable(Schema.string), "type": Schema.nullable(Schema.string), "unit": Schema.nullable(Schema.string),
        "grain": Schema.nullable(Schema.string), "tables": Schema.array(Schema.string), "expression": Schema.nullable(Schema.string),
        "time_column": Schema.nullable(Schema.string), "dimensions": Schema.array(Schema.string), "filters": Schema.array(Schema.string),
        "synonyms": Schema.array(Schema.string), "notes": Schema.array(Schema.string), "sql": Schema.nullable(Schema.string),
    ])

    /// Metric definitions.
    static let metrics: [APIOperation] = [
        .init(method: "GET", path: "/api/metrics", summary: "Metric definitions", tag: "metrics", access: .user, query: ["category"],
              responses: [(200, "Metrics", Schema.object(["metrics": Schema.array(metric), "count": Schema.integer]))]),
        .init(method: "GET", path: "/api/metrics/{category}/{name}", summary: "One metric", tag: "metrics", access: .user,
              responses: [(200, "The metric", metric), (404, "Metric not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/metrics", summary: "Create or replace a metric", tag: "metrics", access: .admin, body: metric,
              responses: [(201, "The metric", metric), (400, "Bad name or category", Schema.ref("Error"))]),
        .init(method: "PUT", path: "/api/admin/metrics/{category}/{name}", summary: "Replace a metric", tag: "metrics", access: .admin, body: metric,
              responses: [(200, "The metric", metric), (404, "Metric not found", Schema.ref("Error"))]),
        .init(method: "DELETE", path: "/api/admin/metrics/{category}/{name}", summary: "Delete a metric", tag: "metrics", access: .admin,
              responses: [(200, "Deleted", Schema.object(["status": Schema.string, "id": Schema.string])), (404, "Metric not found", Schema.ref("Error"))]),
        .init(method: "POST", path: "/api/admin/metrics/import", summary: "Import YAML files ({files: [{path, content}]} or multipart file)",
              tag: "metrics", access: .admin, body: Schema.object(["files": Schema.array(Schema.object(["path": Schema.string, "content": Schema.string]))]),
              responses: [(200, "Imported", Schema.object(["status": Schema.string, "count": Schema.integer, "ids": Schema.array(Schema.string)])),
                          (400, "A file that is not valid, named", Schema.ref("Error"))]),
        .init(method: "GET", path: "/api/admin/metrics/export", summary: "Every metric as canonical YAML files", tag: "metrics", access: .admin,
              responses: [(200, "Files", Schema.object(["files": Schema.array(Schema.object(["path": Schema.string, "content": Schema.string]))]))]),
        .init(method: "POST", path: "/api/admin/metrics/validate", summary: "EXPLAIN each metric's SQL on the query engine", tag: "metrics",
              access: .admin, responses: [(200, "Results", Schema.object(["results": Schema.array(Schema.anyObject), "ok": Schema.integer, "failed": Schema.integer]))]),
    ]
}
