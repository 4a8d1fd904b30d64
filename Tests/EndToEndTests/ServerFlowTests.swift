// The real agnes-server binary driven over HTTP on 127.0.0.1 with its own DATA_DIR: bootstrap → login → personal
// access token create/use/revoke → users, groups, grants → effective access → audit, with the upstream status codes
// and details on the way; then a clean shutdown that keeps every audit entry, and logs that hold no secret.
import AgnesState
import AgnesTestSupport
import DuckDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A JSON exchange with the server under test.
struct Exchange {
    let status: Int
    let headers: [AnyHashable: Any]
    let body: Data

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var detail: String? { object["detail"] as? String }
    func string(_ key: String) -> String? { object[key] as? String }
}

struct ServerClient {
    let base: URL

    func call(_ method: String, _ path: String, json: [String: Any]? = nil, raw: String? = nil, token: String? = nil,
              headers: [String: String] = [:]) async throws -> Exchange {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let raw {
            request.httpBody = Data(raw.utf8)
            if headers["Content-Type"] == nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return Exchange(status: http.statusCode, headers: http.allHeaderFields, body: data)
    }
}

@Suite("server flow", .serialized)
struct ServerFlowTests {
    @Test("bootstrap → login → PAT → users/groups/grants → effective access → audit, over the real binary")
    func fullFlow() async throws {
        let dataDirectory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let logFile = dataDirectory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let port = try freePort()
        let schedulerToken = "scheduler-" + UUID().uuidString
        let server = Process()
        server.executableURL = binaries.appendingPathComponent("agnes-server")
        server.arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory.path, "--log-format", "json"]
        server.environment = ProcessInfo.processInfo.environment.merging([
            "AGNES_HOST": "127.0.0.1", "AGNES_BCRYPT_COST": "4", "SCHEDULER_API_TOKEN": schedulerToken,
        ]) { $1 }
        let log = try FileHandle(forWritingTo: logFile)
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        _ = try #require(await waitForHealth(port: port, server: server))
        let client = ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        let password = "first admin password"

        // Bootstrap (3 per minute per client): a weak password is refused, then the first admin, then it is closed.
        #expect(try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "weak"]).status == 400)
        let boot = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "name": "Root", "password": password])
        #expect(boot.status == 200 && boot.string("role") == "admin")
        let closed = try await client.call("POST", "/auth/bootstrap", json: ["email": "two@example.com", "password": password])
        #expect(closed.status == 403 && closed.detail == "Bootstrap disabled — a user with a password already exists. Use /auth/password/login.")
        let limited = try await client.call("POST", "/auth/bootstrap", json: ["email": "three@example.com", "password": password])
        #expect(limited.status == 429 && limited.detail == "Too many requests — 3 per 1 minute")
        #expect(Int(limited.headers["Retry-After"] as? String ?? "") ?? 0 > 0)

        let session = try #require(try await client.call("POST", "/auth/password/login", json: ["email": "root@example.com", "password": password])
            .string("access_token"))
        #expect(try await client.call("POST", "/auth/password/login", json: ["email": "root@example.com", "password": "nope"]).detail == "Invalid email or password")
        #expect(try await client.call("POST", "/auth/password/login", json: ["email": "root@example.com"]).status == 422)

        // A personal access token: created from the session, usable, then revoked.
        let created = try await client.call("POST", "/auth/tokens", json: ["name": "e2e", "expires_in_days": 1], token: session)
        #expect(created.status == 201)
        let pat = try #require(created.string("token"))
        let patId = try #require(created.string("id"))
        #expect(try await client.call("GET", "/api/me/effective-access", token: pat).status == 200)

        // People and access, administered with the PAT.
        let user = try await client.call("POST", "/api/users", json: ["email": "analyst@example.com", "name": "Ana"], token: pat)
        #expect(user.status == 201)
        let userId = try #require(user.string("id"))
        #expect(try await client.call("POST", "/api/users", json: ["email": "analyst@example.com"], token: pat).status == 409)
        #expect(try await client.call("POST", "/api/users/\(userId)/set-password", json: ["password": "analyst password"], token: pat).status == 204)
        let group = try await client.call("POST", "/api/admin/groups", json: ["name": "Sales"], token: pat)
        let groupId = try #require(group.string("id"))
        #expect(try await client.call("POST", "/api/admin/groups/\(groupId)/members", json: ["email": "analyst@example.com"], token: pat).status == 201)
        #expect(try await client.call("POST", "/api/admin/grants", json: ["group_id": groupId, "resource_type": "table", "resource_id": "orders"],
                                      token: pat).status == 201)
        #expect(try await client.call("POST", "/api/admin/grants", json: ["group_id": groupId, "resource_type": "table", "resource_id": "orders"],
                                      token: pat).status == 409)

        let analyst = try #require(try await client.call("POST", "/auth/token", json: ["email": "analyst@example.com", "password": "analyst password"])
            .string("access_token"))
        let access = try await client.call("GET", "/api/me/effective-access", token: analyst)
        #expect(access.object["is_admin"] as? Bool == false)
        #expect(((access.object["items"] as? [[String: Any]]) ?? []).map { $0["resource_id"] as? String } == ["orders"])
        let denied = try await client.call("GET", "/api/users", token: analyst)
        #expect(denied.status == 403 && denied.detail == "Admin access required")
        #expect(try await client.call("GET", "/api/admin/groups/nope", token: session).status == 404)

        #expect(try await client.call("DELETE", "/auth/tokens/\(patId)", token: session).status == 204)
        let revoked = try await client.call("GET", "/api/me/effective-access", token: pat)
        #expect(revoked.status == 401 && revoked.detail == "Token revoked")
        #expect(try await client.call("GET", "/api/users", token: schedulerToken).status == 200)

        // The audit trail: bounded pages, the changes made above.
        let audit = try await client.call("GET", "/api/admin/audit?limit=10000000", token: session)
        #expect(audit.status == 200 && audit.object["limit"] as? Int == 1000)

        // A clean stop writes every queued audit entry and checkpoints the database.
        kill(server.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while server.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning && server.terminationStatus == 0)
        try log.close()

        let state = try StateStore.open(dataDirectory: dataDirectory)
        let page = try await AuditLog(store: state).query(AuditQuery(limit: 1000))
        let actions = Set(page.entries.map(\.action))
        for action in ["auth.bootstrap", "auth.login", "token.create", "token.revoke", "user.create", "user.set_password", "group.create",
                       "group.member_add", "resource_grant.created", "audit.read"] {
            #expect(actions.contains(action), "no audit entry for \(action)")
        }
        #expect(page.entries.contains { $0.action == "auth.login" && $0.result == "error.401" })
        #expect(page.entries.contains { $0.action == "auth.bootstrap" && $0.result == "error.429" })
        let auditText = page.entries.map { [$0.action, $0.resource ?? "", $0.params ?? "", $0.result ?? ""].joined(separator: " ") }.joined(separator: "\n")
        try await state.close()

        // No secret in the log or the audit table.
        let logText = try String(contentsOf: logFile, encoding: .utf8)
        #expect(logText.contains("\"msg\""), "the JSON log is empty")
        let jwtSecret = try String(contentsOf: dataDirectory.appendingPathComponent("state/secrets/jwt_secret_key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for secret in [password, "analyst password", pat, session, analyst, schedulerToken, jwtSecret] {
            #expect(!logText.contains(secret), "a secret appears in the server log")
            #expect(!auditText.contains(secret), "a secret appears in the audit table")
        }
    }
}
