// Users, groups, grants, effective access, the audit trail, rate limits, /metrics and the OpenAPI document, over
// real HTTP.
import AgnesAPI
@testable import AgnesServer
import AgnesData
import AgnesState
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

private struct AuditLine: Decodable { let line: String }

@Suite("administration")
struct AdministrationTests {
    @Test("users: create (409 on a taken email), list, rename, deactivate; never yourself or the last admin; non-admins get 403")
    func users() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let created = try await client.send(.post, "/api/users", json: ["email": "Carol@Example.com", "name": "Carol"], token: admin)
            #expect(created.status == .created && created.string("email") == "carol@example.com" && created.string("role") == "user")
            #expect((created["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Everyone"])
            let id = try #require(created.string("id"))
            let duplicate = try await client.send(.post, "/api/users", json: ["email": "carol@example.com"], token: admin)
            #expect(duplicate.status == .conflict && duplicate.detail == "User with this email already exists")

            #expect(try await client.send(.get, "/api/users", token: admin).array.count == 2)
            #expect(try await client.send(.get, "/api/users/nope", token: admin).detail == "User not found")
            let renamed = try await client.send(.patch, "/api/users/\(id)", json: ["name": "Carol C."], token: admin)
            #expect(renamed.string("name") == "Carol C.")
            let deactivated = try await client.send(.post, "/api/users/\(id)/deactivate", token: admin)
            #expect(deactivated["active"] as? Bool == false && deactivated.string("deactivated_at") != nil)
            #expect(try await client.send(.post, "/api/users/\(id)/activate", token: admin)["active"] as? Bool == true)

            #expect(try await client.send(.post, "/api/users/\(id)/set-password", json: ["password": "carol password"], token: admin).status == .noContent)
            let carol = try #require(try await client.send(.post, "/auth/token", json: ["email": "carol@example.com", "password": "carol password"])
                .string("access_token"))
            let forbidden = try await client.send(.get, "/api/users", token: carol)
            #expect(forbidden.status == .forbidden && forbidden.detail == "Admin access required")
            #expect(try await client.send(.get, "/api/admin/groups", token: carol).status == .forbidden)
            #expect(try await client.send(.get, "/api/admin/audit", token: carol).status == .forbidden)

            let adminId = try #require(try await server.services.users.find(email: TestServer.adminEmail)?.id)
            let selfDelete = try await client.send(.delete, "/api/users/\(adminId)", token: admin)
            #expect(selfDelete.status == .conflict && selfDelete.detail == "Cannot delete yourself")
            let selfDeactivate = try await client.send(.patch, "/api/users/\(adminId)", json: ["active": false], token: admin)
            #expect(selfDeactivate.status == .conflict && selfDeactivate.detail == "Cannot deactivate yourself")
            let schedulerView = try await client.send(.post, "/api/users/\(adminId)/deactivate", token: admin)
            #expect(schedulerView.status == .conflict)

            let reset = try await client.send(.post, "/api/users/\(id)/reset-password", token: admin)
            #expect(reset.string("reset_url")?.contains("/auth/password/reset?") == true && reset["email_sent"] as? Bool == true)
            #expect(try await client.send(.delete, "/api/users/\(id)", token: admin).status == .noContent)
            #expect(try await client.send(.get, "/api/users/\(id)", token: admin).status == .notFound)
        }
    }

    @Test("groups, members and grants as upstream; effective access follows them; deleting a group removes its grants")
    func groupsAndGrants() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            _ = try await server.services.users.create(email: "dan@example.com", passwordHash: try await server.services.passwords.hash("dan password"))
            let dan = try #require(try await client.send(.post, "/auth/token", json: ["email": "dan@example.com", "password": "dan password"])
                .string("access_token"))

            let group = try await client.send(.post, "/api/admin/groups", json: ["name": "Finance", "description": "money"], token: admin)
            #expect(group.status == .created && group["is_system"] as? Bool == false && group["member_count"] as? Int == 0)
            let gid = try #require(group.string("id"))
            #expect(try await client.send(.post, "/api/admin/groups", json: ["name": "Finance"], token: admin).detail == "Group 'Finance' already exists")
            #expect(try await client.send(.post, "/api/admin/groups", json: ["name": " "], token: admin).status == .badRequest)

            let member = try await client.send(.post, "/api/admin/groups/\(gid)/members", json: ["email": "dan@example.com"], token: admin)
            #expect(member.status == .created && member.string("source") == "admin")
            #expect(try await client.send(.post, "/api/admin/groups/\(gid)/members", json: ["email": "dan@example.com"], token: admin).detail == "User already a member")
            #expect(try await client.send(.post, "/api/admin/groups/\(gid)/members", json: ["email": "x@example.com"], token: admin).detail == "User 'x@example.com' not found")

            let grant = try await client.send(.post, "/api/admin/grants", json: ["group_id": gid, "resource_type": "table", "resource_id": "in.c-sales.orders"], token: admin)
            #expect(grant.status == .created && grant.string("group_name") == "Finance")
            let again = try await client.send(.post, "/api/admin/grants", json: ["group_id": gid, "resource_type": "table", "resource_id": "in.c-sales.orders"], token: admin)
            #expect(again.status == .conflict && again.detail == "Grant already exists for this group/resource_type/resource_id")
            let badType = try await client.send(.post, "/api/admin/grants", json: ["group_id": gid, "resource_type": "planet", "resource_id": "x"], token: admin)
            #expect(badType.status == .badRequest && badType.detail?.hasPrefix("Unknown resource_type 'planet'. Known types: [") == true)
            #expect(try await client.send(.post, "/api/admin/grants", json: ["group_id": "nope", "resource_type": "table", "resource_id": "x"], token: admin).status == .notFound)
            _ = try await client.send(.post, "/api/admin/grants", json: ["group_id": gid, "resource_type": "metric_category", "resource_id": "finance"], token: admin)
            #expect(try await client.send(.get, "/api/admin/grants?resource_type=table", token: admin).array.count == 1)
            #expect(try await client.send(.get, "/api/admin/grants?resource_type=nope", token: admin).status == .badRequest)
            #expect(try await client.send(.get, "/api/admin/resource-types", token: admin).array.map { $0["key"] as? String } ==
                ["table", "table_folder", "metric_category", "knowledge_category", "data_package", "memory_domain"])

            let access = try await client.send(.get, "/api/me/effective-access", token: dan)
            #expect(access["is_admin"] as? Bool == false)
            let items = (access["items"] as? [[String: Any]]) ?? []
            #expect(items.map { "\($0["resource_type"]!):\($0["resource_id"]!)" } == ["metric_category:finance", "table:in.c-sales.orders"])
            #expect(((items.first?["via_groups"] as? [[String: Any]])?.first?["group_name"] as? String) == "Finance")

            let danId = try #require(try await server.services.users.find(email: "dan@example.com")?.id)
            let dansView = try await client.send(.get, "/api/admin/users/\(danId)/effective-access", token: admin)
            #expect((dansView["items"] as? [[String: Any]])?.count == 2)
            let summary = try await client.send(.get, "/api/admin/groups/\(gid)", token: admin)
            #expect(summary["member_count"] as? Int == 1 && summary["grant_count"] as? Int == 2, "\(summary.text)")

            // Rows written by another source are not the API's to remove.
            let everyone = try #require(try await server.services.groups.find(name: Group.everyoneName))
            let seeded = try await client.send(.delete, "/api/admin/groups/\(everyone.id)/members/\(danId)", token: admin)
            #expect(seeded.status == .notFound && seeded.detail == "No admin-managed membership for this user in this group")
            let system = try await client.send(.delete, "/api/admin/groups/\(everyone.id)", token: admin)
            #expect(system.status == .conflict && system.detail == "Cannot delete a system group")
            #expect(try await client.send(.patch, "/api/admin/groups/\(everyone.id)", json: ["name": "All"], token: admin).detail == "System groups cannot be renamed")

            #expect(try await client.send(.delete, "/api/admin/groups/\(gid)", token: admin).status == .noContent)
            let after = try await client.send(.get, "/api/me/effective-access", token: dan)
            #expect((after["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await server.services.grants.grants(forUser: danId).isEmpty)
        }
    }

    @Test("the last active admin cannot be removed from Admin, deactivated or deleted by another admin")
    func lastAdmin() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let adminGroup = try #require(try await server.services.groups.find(name: Group.adminName))
            let second = try await client.send(.post, "/api/users", json: ["email": "eve@example.com"], token: admin)
            let eveId = try #require(second.string("id"))
            #expect(try await client.send(.post, "/api/admin/users/\(eveId)/memberships", json: ["group_id": adminGroup.id], token: admin).status == .created)
            #expect(try await client.send(.delete, "/api/admin/groups/\(adminGroup.id)/members/\(eveId)", token: admin).status == .noContent)
            // The seeded admin's membership is system_seed: the API does not remove it, and it is the last one anyway.
            let adminId = try #require(try await server.services.users.find(email: TestServer.adminEmail)?.id)
            try await server.services.groups.removeMember(userId: adminId, groupId: adminGroup.id, source: .systemSeed)
            try await server.services.groups.addMember(userId: adminId, groupId: adminGroup.id, source: .admin, addedBy: nil)
            let last = try await client.send(.delete, "/api/admin/groups/\(adminGroup.id)/members/\(adminId)", token: admin)
            #expect(last.status == .conflict && last.detail == "Cannot remove the last active admin")
        }
    }

    @Test("every change and every login is audited with user, result, IP and request id — and no secret")
    func auditTrail() async throws {
        try await TestServer.run { server, client in
            _ = try await client.send(.post, "/auth/token", json: ["email": TestServer.adminEmail, "password": "wrong-password-123"])
            let admin = try await client.adminToken()
            let created = try await client.send(.post, "/api/users", json: ["email": "fay@example.com"], token: admin,
                                                headers: [HTTPField.Name("x-request-id")!: "create-fay"])
            let fayId = try #require(created.string("id"))
            _ = try await client.send(.post, "/api/users/\(fayId)/set-password", json: ["password": "fay secret password"], token: admin)
            let pat = try await client.send(.post, "/auth/tokens", json: ["name": "ci"], token: admin)
            try await server.services.audit.flush()

            let page = try await client.send(.get, "/api/admin/audit?action_prefix=user.", token: admin)
            let rows = (page["rows"] as? [[String: Any]]) ?? []
            #expect(Set(rows.compactMap { $0["action"] as? String }) == ["user.create", "user.set_password"])
            let create = try #require(rows.first { $0["action"] as? String == "user.create" })
            #expect(create["request_id"] as? String == "create-fay" && create["result"] as? String == "success")
            #expect(create["client_ip"] as? String != nil && create["user_id"] as? String != nil && create["resource"] as? String == "user:\(fayId)")

            let failures = try await client.send(.get, "/api/admin/audit?action=auth.login&result=error.401", token: admin)
            #expect(((failures["rows"] as? [[String: Any]]) ?? []).count == 1)

            let capped = try await client.send(.get, "/api/admin/audit?limit=10000000", token: admin)
            #expect(capped.status == .ok && capped["limit"] as? Int == AuditQuery.maximumLimit)
            #expect(try await client.send(.get, "/api/admin/audit?since=yesterday", token: admin).status == .badRequest)

            // No password, token or key is stored in the trail.
            let dump = try await server.services.state.read { connection in
                try connection.fetchAll(AuditLine.self, "SELECT concat_ws(' ', action, resource, CAST(params AS VARCHAR), result) AS line FROM audit_log")
                    .map(\.line).joined(separator: "\n")
            }
            for secret in ["fay secret password", "wrong-password-123", TestServer.adminPassword, admin, pat.string("token") ?? "-",
                           server.services.configuration.jwtSecret] {
                #expect(!dump.contains(secret))
            }
        }
    }

    @Test("sign-in attempts share one budget per account and one per client address across every sign-in endpoint: 429 with Retry-After")
    func rateLimits() async throws {
        try await TestServer.run(environment: ["AGNES_AUTH_RATELIMIT_ENABLED": "true"]) { _, client in
            var statuses: [HTTPResponse.Status] = []
            for attempt in 0..<12 {
                // Alternating endpoints buys no extra guesses at one account.
                let path = attempt % 2 == 0 ? "/auth/password/login" : "/auth/token"
                statuses.append(try await client.send(.post, path, json: ["email": TestServer.adminEmail, "password": "guess-guess"]).status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .unauthorized } && statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
            let limited = try await client.send(.post, "/auth/token", json: ["email": TestServer.adminEmail, "password": TestServer.adminPassword])
            #expect(limited.status == .tooManyRequests && limited.detail == "Too many requests — 10 per 1 minute")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // The address has spent 13 of its 20: other accounts, through any sign-in endpoint, get 7 more.
            var others: [HTTPResponse.Status] = []
            for attempt in 0..<8 {
                let email = "nobody\(attempt)@example.com"
                others.append(attempt % 2 == 0
                    ? try await client.send(.post, "/auth/email/verify", json: ["email": email, "token": "guess"]).status
                    : try await client.send(.post, "/auth/password/login", json: ["email": email, "password": "guess-guess"]).status)
            }
            #expect(others.prefix(7).allSatisfy { $0 == .unauthorized } && others.last == .tooManyRequests, "\(others)")
            let address = try await client.send(.post, "/auth/password/login", json: ["email": "fresh@example.com", "password": "guess-guess"])
            #expect(address.status == .tooManyRequests && address.detail == "Too many requests — 20 per 1 minute")
            // A forged X-Forwarded-For does not buy a fresh budget unless the server is told to trust it.
            let forged = try await client.send(.post, "/auth/password/login", json: ["email": "fresh@example.com", "password": "guess-guess"],
                                               headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.\(Int.random(in: 1...254))"])
            #expect(forged.status == .tooManyRequests)
        }
    }

    @Test("behind a trusted proxy the limit is per forwarded client address")
    func forwardedFor() async throws {
        try await TestServer.run(environment: ["AGNES_AUTH_RATELIMIT_ENABLED": "true", "AGNES_TRUST_FORWARDED_FOR": "true"]) { _, client in
            func attempt(from address: String) async throws -> HTTPResponse.Status {
                try await client.send(.post, "/auth/bootstrap", json: ["email": "x@example.com"],
                                      headers: [HTTPField.Name("X-Forwarded-For")!: "\(address), 10.0.0.1"]).status
            }
            for _ in 0..<3 { _ = try await attempt(from: "198.51.100.7") }
            #expect(try await attempt(from: "198.51.100.7") == .tooManyRequests)
            #expect(try await attempt(from: "198.51.100.8") != .tooManyRequests)
        }
    }

    @Test("the session cookie is Secure when the server's URL is https, and not over plain http")
    func secureCookie() async throws {
        let plain = try await TestServer.start()
        let tls = try await TestServer.start(environment: ["SERVER_URL": "https://agnes.example.com"])
        #expect(!plain.services.sessionCookie("t").contains("Secure"))
        #expect(tls.services.sessionCookie("t").hasSuffix("; Secure") && tls.services.sessionCookie("t").contains("HttpOnly"))
        try await plain.stop()
        try await tls.stop()
    }

    @Test("/metrics exposes request counts and latency histograms by route pattern")
    func metrics() async throws {
        try await TestServer.run { _, client in
            _ = try await client.send(.get, "/api/health")
            _ = try await client.send(.get, "/api/users/some-id")
            let text = try await client.send(.get, "/metrics").text
            #expect(text.contains(#"agnes_http_requests_total{method="GET",route="/api/health",status="200"} 1"#))
            #expect(text.contains(#"route="/api/users/{id}",status="401""#))
            #expect(text.contains("agnes_http_request_duration_seconds_bucket"))
        }
    }

    @Test("every administrators' operation answers an analyst 403 before it reads a parameter or the body")
    func administratorGate() async throws {
        try await TestServer.run { _, client in
            let admin = try await client.adminToken()
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: nil, client, admin: admin)
            let operations = APIDescription.operations.filter { $0.access == .admin }
            #expect(operations.count > 60)
            for operation in operations {
                // A control character in every path parameter (400 for an administrator), a malformed query and body.
                let path = operation.path.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix("{") ? "%01" : String($0) }.joined(separator: "/")
                let answer = try await client.send(HTTPRequest.Method(operation.method)!, path + "?limit=x&per_page=0",
                                                   raw: operation.method == "GET" || operation.method == "HEAD" ? nil : "{not json", token: ana.token)
                #expect(answer.status == .forbidden, "\(operation.method) \(operation.path): \(answer.status) \(answer.text)")
                if operation.method != "HEAD" { #expect(answer.detail == "Admin access required", "\(operation.method) \(operation.path): \(answer.text)") }
            }
            // The gate only runs first: an administrator reaches the handler, which refuses the malformed id.
            #expect(try await client.send(.get, "/api/admin/groups/%01", token: admin).status == .badRequest)
        }
    }

    @Test("jobs: an administrator queues one (202; 400 for an unknown kind or a bad payload), lists and reads it; an analyst sees nothing of it")
    func jobs() async throws {
        try await TestServer.run { _, client in
            let admin = try await client.adminToken()
            let queued = try await client.send(.post, "/api/jobs", json: ["kind": "rebuild", "idempotency_key": "nightly-rebuild"], token: admin)
            #expect(queued.status == .accepted && queued.string("status") == "queued" && queued.string("kind") == "rebuild")
            let id = try #require(queued.string("id"))
            let again = try await client.send(.post, "/api/jobs", json: ["kind": "rebuild", "idempotency_key": "nightly-rebuild"], token: admin)
            #expect(again.string("id") == id, "the same key answers the same job while it is queued")
            let unknown = try await client.send(.post, "/api/jobs", json: ["kind": "mine-bitcoin"], token: admin)
            #expect(unknown.status == .badRequest && unknown.detail?.contains("unknown job kind") == true)
            #expect(try await client.send(.post, "/api/jobs", json: ["kind": "sync", "payload": ["tables": "orders"]], token: admin).status == .badRequest)
            #expect(try await client.send(.get, "/api/jobs/\(id)", token: admin).string("idempotency_key") == "nightly-rebuild")
            #expect(try await client.send(.get, "/api/jobs?status=queued", token: admin).text.contains(id))
            #expect(try await client.send(.get, "/api/jobs?status=sleeping", token: admin).status == .badRequest)
            #expect(try await client.send(.get, "/api/jobs/no-such-job", token: admin).status == .notFound)

            let ana = try await MemoryRoutesTests.user("ana@example.com", group: nil, client, admin: admin)
            for (method, path) in [(HTTPRequest.Method.get, "/api/jobs"), (.get, "/api/jobs/\(id)"), (.get, "/api/jobs/no-such-job")] {
                let answer = try await client.send(method, path, token: ana.token)
                #expect(answer.status == .forbidden && !answer.text.contains(id) && !answer.text.contains("nightly"), "\(path): \(answer.text)")
            }
            let refused = try await client.send(.post, "/api/jobs", json: ["kind": "rebuild", "idempotency_key": "nightly-rebuild"], token: ana.token)
            #expect(refused.status == .forbidden && !refused.text.contains(id))
        }
    }

    @Test("GET /api/openapi.json describes every route the router has, and nothing else")
    func openAPICompleteness() async throws {
        let server = try await TestServer.start()
        let router = AgnesServerApplication.makeRouter(services: server.services)
        // The web UI's pages are HTML for browsers, not API.
        let pages = Router(context: AgnesRequestContext.self)
        WebPages(services: server.services, web: server.services.web).register(on: pages)
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" }).subtracting(pages.routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(pages.routes.count > 30)
        let documented = Set(APIDescription.operations.map { "\($0.method) \($0.path)" })
        #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but absent: \(documented.subtracting(routes).sorted())")
        #expect(APIDescription.rateLimited.isSubset(of: documented), "rate limited but absent: \(APIDescription.rateLimited.subtracting(documented).sorted())")
        try await server.stop()

        try await TestServer.run { _, client in
            let document = try await client.send(.get, "/api/openapi.json")
            #expect(document.string("openapi") == "3.1.0")
            let paths = (document["paths"] as? [String: Any]) ?? [:]
            #expect(paths["/api/admin/groups/{gid}/members/{uid}"] != nil && paths["/auth/tokens"] != nil)
            // Every schema reference resolves; no body is an object without properties.
            let schemas = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
            let references = Set(document.text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) })
            #expect(!references.isEmpty && references.subtracting(schemas.keys).isEmpty, "dangling: \(references.subtracting(schemas.keys).sorted())")
            #expect(!document.text.contains(#"{"type":"object"}"#), "an untyped object schema is left")
        }
    }

    @Test("GET /api/health/detailed needs a signed-in user and reports the state database, data and users")
    func detailedHealth() async throws {
        try await TestServer.run { server, client in
            #expect(try await client.send(.get, "/api/health/detailed").status == .unauthorized)
            _ = try await RegistryRepository(store: server.services.state).upsert(RegisteredTable(id: "orders", name: "orders"))
            let health = try await client.send(.get, "/api/health/detailed", token: try await client.adminToken())
            #expect(health.status == .ok)
            let services = (health["services"] as? [String: Any]) ?? [:]
            #expect((services["duckdb_state"] as? [String: Any])?["status"] as? String == "ok")
            let data = (services["data"] as? [String: Any]) ?? [:]
            #expect(data["tables"] as? Int == 1 && data["stale_tables"] as? [String] == ["orders"] && data["status"] as? String == "warning")
            #expect((services["users"] as? [String: Any])?["count"] as? Int == 1)
            #expect(health.string("status") == "degraded" && health.string("version") != nil && health.string("timestamp") != nil)
            // Each check says whom it is for; the analyst's headline counts only theirs.
            #expect((services["users"] as? [String: Any])?["audience"] as? String == "operator" && data["audience"] as? String == "analyst")
            #expect((services["db_schema"] as? [String: Any])?["audience"] as? String == "operator")
            #expect(health.string("caller_role") == "admin" && health.string("overall_analyst") == "degraded")
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: nil, client, admin: try await client.adminToken())
            let asAnalyst = try await client.send(.get, "/api/health/detailed", token: ana.token)
            let users = ((asAnalyst["services"] as? [String: Any])?["users"] as? [String: Any]) ?? [:]
            #expect(asAnalyst.string("caller_role") == "analyst" && users["status"] as? String == "ok" && users["count"] == nil && users["active"] == nil)
            #expect(asAnalyst.string("overall_analyst") == "healthy", "no table of theirs is stale")
        }
    }
    @Test("GET /api/health/detailed reports ids offered by two sources, and shows a caller only the tables they may read")
    func detailedHealthConflicts() async throws {
        try await TestServer.run { server, client in
            let connection = try Database().connect()
            for source in ["shop", "crm"] {
                let writer = ExtractWriter(layout: try ExtractLayout(extractsDirectory: server.services.dataPlane.extractsDirectory, source: source))
                try writer.publish([try writer.writeTable(id: "shared", query: "SELECT 1 AS id", on: connection)])
            }
            _ = try await RegistryRepository(store: server.services.state).upsert(RegisteredTable(id: "shared", name: "shared"))
            _ = try await server.services.dataPlane.rebuild()
            let admin = try await client.adminToken()
            let data = ((try await client.send(.get, "/api/health/detailed", token: admin)["services"] as? [String: Any])?["data"] as? [String: Any]) ?? [:]
            #expect(data["conflicts"] as? [String: [String]] == ["shared": ["crm", "shop"]] && data["status"] as? String == "warning", "\(data)")

            // A user without a grant on the table learns nothing of it here.
            _ = try await client.send(.post, "/api/users", json: ["email": "bo@example.com"], token: admin)
            let bo = try #require(try await server.services.users.find(email: "bo@example.com"))
            _ = try await client.send(.post, "/api/users/\(bo.id)/set-password", json: ["password": "bo password 1"], token: admin)
            let token = try #require(try await client.send(.post, "/auth/token", json: ["email": "bo@example.com", "password": "bo password 1"])
                .string("access_token"))
            let seen = try await client.send(.get, "/api/health/detailed", token: token)
            #expect(seen.status == .ok && !seen.text.contains("shared") && !seen.text.contains("crm"), "\(seen.text)")
        }
    }
}
