// MCP end to end, driven by the official MCP Python SDK (a client nobody here wrote) against the real server binary:
// Streamable HTTP as an analyst and as an administrator, `agnes mcp` on stdio in a workspace, the older SSE transport,
// and the OAuth flow of a desktop client. Checks the handshake, the tool list and its hints, a call of every tool, that
// an ungranted table is neither listed nor queryable nor sampled, the caps with their note, the 401 that points at the
// OAuth metadata, token rotation and revocation, and the audit trail.
import Foundation
import Testing

/// Runs the MCP SDK client (`Tests/EndToEndTests/MCP/mcp_client.py`) with `arguments` and a plan of tool calls.
func mcpSession(_ arguments: [String], plan: [[String: Any]], environment: [String: String] = [:],
                directory: URL? = nil) async throws -> MCPSession {
    MCPSession(object: try await PythonTool.run("Tests/EndToEndTests/MCP/mcp_client.py", arguments, input: try JSONSerialization.data(withJSONObject: plan),
                                          environment: environment, directory: directory))
}

/// What the MCP client saw.
struct MCPSession {
    let object: [String: Any]

    var tools: [[String: Any]] { object["tools"] as? [[String: Any]] ?? [] }
    var toolNames: [String] { tools.compactMap { $0["name"] as? String } }
    var calls: [[String: Any]] { object["calls"] as? [[String: Any]] ?? [] }

    /// The `index`th call: whether it failed, its text, its structured content.
    func call(_ index: Int) -> (failed: Bool, text: String, structured: [String: Any]) {
        let call = calls[index]
        return (call["is_error"] as? Bool ?? true, call["text"] as? String ?? "", call["structured"] as? [String: Any] ?? [:])
    }
}

@Suite("MCP flows", .serialized)
struct MCPFlowTests {
    static let sharedTools = ["server_info", "catalog", "schema", "describe", "query", "knowledge_search", "snapshot_estimate", "metrics_list",
                              "metric_get", "memory_rules", "memory_propose", "stack_browse", "stack_subscribe",
                              "glossary_search", "semantic_model_search", "semantic_model_get", "validate_semantic_query"]

    /// A call of every shared tool, then the ungranted table three ways.
    static var plan: [[String: Any]] { [
        ["name": "server_info"],
        ["name": "catalog"],
        ["name": "schema", "arguments": ["table_id": "orders"]],
        ["name": "describe", "arguments": ["table_id": "customers", "rows": 3]],
        ["name": "query", "arguments": ["sql": "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status"]],
        ["name": "query", "arguments": ["sql": "SELECT * FROM order_items", "limit": 5]],
        ["name": "knowledge_search", "arguments": ["query": "revenue", "k": 3]],
        ["name": "snapshot_estimate", "arguments": ["table_id": "orders", "where": "status = 'paid'"]],
        ["name": "metrics_list"],
        ["name": "metric_get", "arguments": ["metric_id": "revenue/gross_revenue"]],
        ["name": "memory_rules"],
        ["name": "memory_propose", "arguments": ["title": "Refunded orders are excluded from revenue", "content": "status = 'refunded'"]],
        ["name": "query", "arguments": ["sql": "SELECT count(*) FROM web_sessions"]],
        ["name": "describe", "arguments": ["table_id": "web_sessions"]],
        ["name": "schema", "arguments": ["table_id": "ordrs"]],
        ["name": "query", "arguments": ["sql": "DELETE FROM orders"]],
        ["name": "describe", "arguments": ["tableId": "orders"]],
        ["name": "stack_browse"],
        ["name": "stack_subscribe", "arguments": ["resource_id": "sales"]],
        ["name": "glossary_search", "arguments": ["query": "revenue"]],
        ["name": "semantic_model_search", "arguments": ["query": "sales"]],
        ["name": "validate_semantic_query", "arguments": ["sql": "SELECT count(*) FROM orders"]],
        ["name": "semantic_model_get", "arguments": ["slug": "sales"]],
    ] }

    @Test("Streamable HTTP: an analyst calls every tool, sees no ungranted table, gets capped answers with a note; all audited")
    func streamableHTTPAsAnalyst() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_MCP_MAX_OUTPUT_CHARS": "20000"])
        defer { server.stop() }
        let url = server.client.base.absoluteString + "/api/mcp/http"
        let session = try await mcpSession(["http", url, server.analyst], plan: Self.plan)
        #expect(session.object["server"] as? String == "agnes")
        #expect(session.toolNames == Self.sharedTools, "the HTTP endpoint has no workspace tools")
        for tool in session.tools {
            #expect(tool["schema_type"] as? String == "object" && tool["described"] as? Bool == true && tool["read_only"] != nil)
        }
        // Every shared tool answers.
        for index in 0..<12 { #expect(!session.call(index).failed, "call \(index): \(session.call(index).text)") }
        let info = session.call(0).structured
        #expect(info["user_email"] as? String == DemoServer.analystEmail && info["is_admin"] as? Bool == false && info["transport"] as? String == "http")
        let listed = (session.call(1).structured["tables"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(listed.contains("orders") && !listed.contains("web_sessions"))
        #expect(!session.call(1).text.contains("web_sessions"))
        #expect((session.call(3).structured["sample"] as? [String: Any])?["rows"] as? [Any] != nil)
        #expect(session.call(4).structured["truncated"] as? Bool == false && (session.call(4).structured["rows"] as? [Any])?.count == 3)
        // Cut at the requested limit: says so, with the full count.
        let cut = session.call(5)
        #expect(cut.structured["truncated"] as? Bool == true && cut.structured["row_count"] as? Int == 5)
        #expect(cut.structured["total_rows"] as? Int == 60_000)
        #expect(cut.text.contains("Result cut") && cut.text.contains("60,000 rows in all"))
        #expect(session.call(11).text.contains("Proposed"))
        // The ungranted table: refused without its name's data, unknown names get suggestions, bad SQL the guard's reason.
        #expect(session.call(12).failed && session.call(12).text.contains("Access denied to table 'web_sessions'"))
        #expect(session.call(13).failed && session.call(13).text.contains("not among the tables you may read"))
        #expect(!session.call(13).text.contains("session_id"))
        #expect(session.call(14).failed && session.call(14).text.contains("Did you mean: orders?"))
        #expect(session.call(15).failed && !session.call(15).text.isEmpty)
        #expect(session.call(16).failed && session.call(16).text.contains("no argument 'tableId'"))
        // The stack: nothing granted to the demo analyst yet, and an ungranted package is refused by name.
        #expect(!session.call(17).failed && session.call(17).text.contains("None of your groups is granted"))
        #expect(session.call(18).failed && session.call(18).text.hasPrefix("no_grant"))
        // The semantic layer: nothing defined on the demo server yet — empty answers, and no model to read or validate with.
        #expect(!session.call(19).failed && session.call(19).text.contains("No glossary term matches"))
        #expect(!session.call(20).failed && session.call(20).text.contains("No semantic model"))
        #expect(!session.call(21).failed && session.call(21).structured["available"] as? Bool == false)
        #expect(session.call(22).failed && session.call(22).text.contains("not found"))

        // The character cap: a wide result keeps the rows that fit and says so.
        let wide = try await mcpSession(["http", url, server.analyst], plan: [["name": "query", "arguments": ["sql": "SELECT * FROM order_items", "limit": 1000]]])
        let capped = wide.call(0)
        #expect(!capped.failed && capped.structured["truncated"] as? Bool == true)
        #expect(((capped.structured["rows"] as? [Any])?.count ?? 0) < 1000 && capped.text.contains("20,000-character cap"))

        // Every tool call is in the audit trail with the client's name from `initialize`.
        let entries = try await auditEntries(server, withParams: "\"mcp_tool\"") { $0.count >= Self.plan.count + 1 }
        #expect(entries.count == Self.plan.count + 1, "one entry per tool call")
        #expect(entries.allSatisfy { ($0["params"] as? String ?? "").contains("agnes-tests") })
        #expect(entries.contains { $0["action"] as? String == "query.local" && ($0["params"] as? String ?? "").contains("\"tool_error\"") })
        #expect(entries.contains { $0["action"] as? String == "corporate_memory.create" })
        #expect(entries.contains { ($0["params"] as? String ?? "").contains("\"mcp_tool\":\"catalog\"") })
    }

    @Test("Streamable HTTP: an administrator reads every table; no token is a 401 pointing at the OAuth metadata; the cookie is not enough")
    func streamableHTTPAsAdministratorAndUnauthenticated() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let url = server.client.base.absoluteString + "/api/mcp/http"
        let session = try await mcpSession(["http", url, server.admin], plan: [
            ["name": "catalog"], ["name": "query", "arguments": ["sql": "SELECT count(*) AS n FROM web_sessions"]],
        ])
        #expect(((session.call(0).structured["tables"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == "web_sessions" })
        #expect(!session.call(1).failed)

        let initialize: [String: Any] = ["jsonrpc": "2.0", "id": 1, "method": "initialize",
                                         "params": ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "x", "version": "1"]]]
        let anonymous = try await server.client.call("POST", "/api/mcp/http", json: initialize, headers: ["Accept": "application/json"])
        #expect(anonymous.status == 401 && anonymous.detail == "Not authenticated")
        let challenge = anonymous.headers.first { ($0.key as? String)?.lowercased() == "www-authenticate" }?.value as? String ?? ""
        #expect(challenge.hasPrefix("Bearer realm=\"Agnes MCP\"") && challenge.contains("resource_metadata=\"\(server.client.base.absoluteString)"
                                                                                         + "/.well-known/oauth-protected-resource/api/mcp/http\""))
        let cookie = try await server.client.call("POST", "/api/mcp/http", json: initialize,
                                                  headers: ["Accept": "application/json", "Cookie": "access_token=\(server.analyst)"])
        #expect(cookie.status == 401)
        let wrong = try await server.client.call("POST", "/api/mcp/http", json: initialize, token: "not-a-token", headers: ["Accept": "application/json"])
        #expect(wrong.status == 401 && !String(decoding: wrong.body, as: UTF8.self).contains("result"))
        let get = try await server.client.call("GET", "/api/mcp/http", token: server.analyst)
        #expect(get.status == 405)
    }

    @Test("agnes mcp on stdio: init registers it; an analyst pulls, queries locally, snapshots, and never reaches an ungranted table")
    func stdioInAnalystWorkspace() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let workspace = try temporaryDirectory(), config = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workspace); try? FileManager.default.removeItem(at: config) }
        let environment = ["AGNES_CONFIG_DIR": config.path, "AGNES_SERVER": server.client.base.absoluteString, "AGNES_TOKEN": server.analyst,
                           "AGNES_LOCAL_DIR": workspace.path]
        let initialized = try await CLIFlowTests().agnes(["init", "--server-url", server.client.base.absoluteString, "--token", server.analyst, "--quiet"],
                                                  environment: environment)
        #expect(initialized.status == 0, "\(initialized.err)")
        let registration = try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.appendingPathComponent(".mcp.json"))) as? [String: Any]
        let agnes = (registration?["mcpServers"] as? [String: Any])?["agnes"] as? [String: Any]
        #expect(agnes?["command"] as? String == "agnes" && agnes?["args"] as? [String] == ["mcp"])
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.appendingPathComponent(".claude/settings.json"))) as? [String: Any]
        #expect(settings?["enabledMcpjsonServers"] as? [String] == ["agnes"])

        let session = try await mcpSession(["stdio", binaries.appendingPathComponent("agnes").path, "mcp"], plan: [
            ["name": "pull"],
            ["name": "query_local", "arguments": ["sql": "SELECT count(*) AS n FROM orders"]],
            ["name": "snapshot_create", "arguments": ["name": "paid", "table_id": "orders", "where": "status = 'paid'", "limit": 10]],
            ["name": "query_local", "arguments": ["sql": "SELECT count(*) AS n FROM paid"]],
            ["name": "query_local", "arguments": ["sql": "SELECT * FROM web_sessions"]],
            ["name": "snapshot_create", "arguments": ["name": "sessions", "table_id": "web_sessions"]],
            ["name": "query_local", "arguments": ["sql": "CREATE TABLE x AS SELECT 1"]],
            ["name": "server_info"],
            ["name": "query", "arguments": ["sql": "SELECT * FROM orders", "limit": 2]],
        ], environment: environment, directory: workspace)
        #expect(session.toolNames.count == 20 && session.toolNames.contains("query_local") && session.toolNames.contains("pull"))
        #expect(!session.call(0).failed && !(session.call(0).structured["tables_updated"] as? [String] ?? []).contains("web_sessions"))
        #expect(session.call(1).structured["rows"] as? [[Int]] == [[30_000]])
        #expect(!session.call(2).failed && session.call(2).structured["rows"] as? Int == 10)
        #expect(session.call(3).structured["rows"] as? [[Int]] == [[10]])
        #expect(session.call(4).failed && !session.call(4).text.contains("session_id"))
        #expect(session.call(5).failed)
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("user/snapshots/sessions.parquet").path))
        #expect(session.call(6).failed && session.call(6).text.contains("read-only"))
        #expect(session.call(7).structured["transport"] as? String == "stdio" && session.call(7).structured["user_email"] as? String == DemoServer.analystEmail)
        #expect(session.call(8).structured["total_rows"] as? Int == 30_000)

        // Every shared tool answers on stdio too (through the REST API), with the same refusals.
        let shared = try await mcpSession(["stdio", binaries.appendingPathComponent("agnes").path, "mcp"], plan: Self.plan, environment: environment,
                                    directory: workspace)
        for index in 0..<12 { #expect(!shared.call(index).failed, "stdio call \(index): \(shared.call(index).text)") }
        #expect(!shared.call(1).text.contains("web_sessions") && shared.call(5).structured["total_rows"] as? Int == 60_000)
        #expect(shared.call(12).failed && shared.call(12).text.contains("Access denied to table 'web_sessions'"))
        #expect(shared.call(13).failed && shared.call(13).text.contains("not among the tables you may read"))
        #expect(shared.call(14).failed && shared.call(14).text.contains("Did you mean: orders?"))
        #expect(!shared.call(17).failed && shared.call(18).failed && shared.call(18).text.hasPrefix("no_grant"))
        #expect(!shared.call(19).failed && !shared.call(21).failed && shared.call(22).failed)
        // An administrator's workspace reads every table (a full-rights token; `init` kept the analyst's in `config`).
        let adminConfig = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: adminConfig) }
        let admin = try await mcpSession(["stdio", binaries.appendingPathComponent("agnes").path, "mcp"], plan: [
            ["name": "catalog"], ["name": "query", "arguments": ["sql": "SELECT count(*) AS n FROM web_sessions"]],
        ], environment: environment.merging(["AGNES_TOKEN": server.admin, "AGNES_CONFIG_DIR": adminConfig.path]) { $1 }, directory: workspace)
        #expect(admin.call(0).text.contains("web_sessions") && !admin.call(1).failed)

        // The server audited the calls that reached it, naming the tool, the client and the transport.
        let stdio = try await auditEntries(server, withParams: "\"transport\":\"stdio\"") { entries in
            entries.contains { ($0["params"] as? String ?? "").contains("\"mcp_tool\":\"query\"") }
        }
        #expect(stdio.contains { ($0["params"] as? String ?? "").contains("\"mcp_tool\":\"query\"") && ($0["params"] as? String ?? "").contains("agnes-tests") })
        #expect(stdio.contains { ($0["params"] as? String ?? "").contains("\"mcp_tool\":\"snapshot_create\"") })
    }

    @Test("the older SSE transport: an analyst's stream answers tools with the same rules; another caller cannot post to it")
    func eventStreamTransport() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let url = server.client.base.absoluteString + "/api/mcp/sse"
        let session = try await mcpSession(["sse", url, server.analyst], plan: [
            ["name": "catalog"], ["name": "query", "arguments": ["sql": "SELECT count(*) AS n FROM orders"]],
            ["name": "query", "arguments": ["sql": "SELECT count(*) AS n FROM web_sessions"]],
        ])
        #expect(session.toolNames == Self.sharedTools)
        #expect(!session.call(0).text.contains("web_sessions") && session.call(1).structured["rows"] as? [[Int]] == [[30_000]])
        #expect(session.call(2).failed && session.call(2).text.contains("Access denied"))
        #expect(try await server.client.call("GET", "/api/mcp/sse").status == 401)
        let foreign = try await server.client.call("POST", "/api/mcp/messages/?session_id=guess", json: ["jsonrpc": "2.0", "id": 1, "method": "ping"],
                                                   token: server.admin)
        #expect(foreign.status == 404)
        let audited = try await auditEntries(server, withParams: "\"transport\":\"sse\"") { $0.count >= 4 }
        #expect(audited.filter { ($0["params"] as? String ?? "").contains("agnes-tests") }.count == 3, "each tool call, with the client's name")
        #expect(audited.contains { $0["action"] as? String == "query.local" && ($0["params"] as? String ?? "").contains("tool_error") })
    }

    /// The audit entries whose params contain `fragment`, once `enough` says they are all there (reads are written in
    /// batches) or after 10 s.
    func auditEntries(_ server: DemoServer, withParams fragment: String, until enough: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        var entries: [[String: Any]] = []
        for _ in 0..<50 {
            let page = try await server.client.call("GET", "/api/admin/audit?limit=500", token: server.admin)
            entries = (page.object["rows"] as? [[String: Any]] ?? []).filter { ($0["params"] as? String ?? "").contains(fragment) }
            if enough(entries) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return entries
    }

    /// Runs the OAuth flow script as the web user signed in with `session`.
    func oauthFlow(_ server: DemoServer, session: String) async throws -> [String: Any] {
        try await PythonTool.run("Tests/EndToEndTests/MCP/mcp_oauth.py", [server.client.base.absoluteString, session])
    }

    @Test("OAuth as a desktop client: discovery from the 401, registration, PKCE, consent, token, tool calls, refresh, replay, revoke, deny")
    func oauthDesktopFlow() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let base = server.client.base.absoluteString
        let report = try await oauthFlow(server, session: server.analyst)
        let metadata = report["metadata"] as? [String: Any] ?? [:]
        #expect(metadata["issuer"] as? String == base + "/api/mcp/http")
        #expect(metadata["token_endpoint"] as? String == base + "/api/mcp/http/token")
        #expect(metadata["code_challenge_methods_supported"] as? [String] == ["S256"] && metadata["scopes_supported"] as? [String] == ["read"])
        let browser = report["browser"] as? [String: Any] ?? [:]
        #expect(browser["consent_status"] as? Int == 200 && browser["consent_names_client"] as? Bool == true)
        #expect(browser["cross_origin_status"] as? Int == 403, "a consent posted from another site is refused")
        #expect(browser["redirect"] as? String == "http://localhost:33418/callback" && browser["redirect_query"] as? [String] == ["code", "state"])
        #expect(report["client_registered"] as? Bool == true && report["token_prefix"] as? String == "agnes_mcp_at_" && report["scope"] as? String == "read")
        let calls = report["calls"] as? [[String: Any]] ?? []
        let info = calls.first?["structured"] as? [String: Any] ?? [:]
        #expect(info["user_email"] as? String == DemoServer.analystEmail && info["credential"] as? String == "workspace")
        let tables = ((calls[1]["structured"] as? [String: Any])?["tables"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(tables.contains("orders") && !tables.contains("web_sessions"))
        #expect(calls[2]["is_error"] as? Bool == true)
        #expect((report["after_refresh"] as? [[String: Any]])?.first?["is_error"] as? Bool == false && report["rotated"] as? Bool == true)
        #expect((report["replay"] as? [String: Any])?["error"] as? String == "invalid_grant")
        #expect(report["family_revoked_status"] as? Int == 401, "replaying a rotated refresh token ends the whole authorization")
        #expect(report["rest_with_mcp_token_status"] as? Int == 401, "an MCP token opens the MCP endpoint only")
        #expect(report["revoke_status"] as? Int == 200 && report["after_revoke_status"] as? Int == 401)
        #expect(report["deny"] as? String == "access_denied")

        // An administrator's MCP token reads like an analyst's: only what the administrator's groups are granted.
        let admin = try await oauthFlow(server, session: server.admin)
        let adminCalls = admin["calls"] as? [[String: Any]] ?? []
        #expect((adminCalls.first?["structured"] as? [String: Any])?["is_admin"] as? Bool == false)
        #expect(adminCalls[2]["is_error"] as? Bool == true && (adminCalls[2]["text"] as? String ?? "").contains("Access denied to table 'web_sessions'"))

        // Administrators see the registered clients, who authorized them and their last use, and revoke their tokens.
        #expect(try await server.client.call("GET", "/api/admin/mcp/clients", token: server.analyst).status == 403)
        let listed = try await server.client.call("GET", "/api/admin/mcp/clients", token: server.admin)
        let clients = (try JSONSerialization.jsonObject(with: listed.body) as? [[String: Any]]) ?? []
        #expect(clients.count == 8 && clients.allSatisfy { $0["name"] as? String == "Agnes OAuth test" })
        let kept = try #require(report["kept_client_id"] as? String)
        let used = try #require(clients.first { $0["client_id"] as? String == kept })
        #expect(used["users"] as? [String] == [DemoServer.analystEmail] && used["last_used_at"] != nil && used["active_tokens"] as? Int == 1)
        let revoked = try await server.client.call("POST", "/api/admin/mcp/clients/\(kept)/revoke", token: server.admin)
        #expect(revoked.status == 200 && revoked.object["tokens_revoked"] as? Int == 1)
        let after = (try JSONSerialization.jsonObject(with: try await server.client.call("GET", "/api/admin/mcp/clients", token: server.admin).body)
            as? [[String: Any]]) ?? []
        #expect(after.first { $0["client_id"] as? String == kept }?["active_tokens"] as? Int == 0)
        let page = try await server.client.call("GET", "/admin/mcp", headers: ["Cookie": "access_token=\(server.admin)"])
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("Agnes OAuth test"))
    }
}
