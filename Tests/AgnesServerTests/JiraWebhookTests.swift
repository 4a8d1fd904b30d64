// Jira webhooks (upstream's contract): 503 without a configured secret, 401 for a wrong or missing signature (either
// header, with or without `sha256=`), 400 for a body that is not an issue event; accepted events land in the spool,
// a burst becomes one sync, and the issues, comments and changelog tables keep the newest version of each id in
// monthly parts.
import AgnesData
import AgnesTestSupport
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("jira webhooks", .serialized)
struct JiraWebhookTests {
    static let secret = "jira-webhook-secret-1234"

    static func sign(_ body: String, secret: String = secret) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    static func event(_ name: String, key: String, summary: String, updated: String, created: String = "2026-03-02T10:00:00.000+0000",
                      extra: String = "", id: String? = nil) -> String {
        #"{"webhookEvent":"\#(name)","timestamp":1772445600000,"user":{"displayName":"Ann"},"issue":{"id":"\#(id ?? "\(key.split(separator: "-").last!)00")","key":"\#(key)","fields":{"summary":"\#(summary)","status":{"name":"Open"},"project":{"key":"\#(key.split(separator: "-").first!)"},"created":"\#(created)","updated":"\#(updated)"}}\#(extra)}"#
    }

    func post(_ client: LiveTestClient, _ body: String, header: String = "X-Hub-Signature-256", signature: String?) async throws -> JSONResponse {
        var headers: HTTPFields = [:]
        if let signature { headers[HTTPField.Name(header)!] = signature }
        return try await client.send(.post, "/webhooks/jira", raw: body, headers: headers)
    }

    @Test("signatures, bad bodies, and events into issues, comments and changelog with one sync per burst")
    func webhooks() async throws {
        // Connectors read their secret variables from the process environment (no other test uses this one).
        setenv("AGNES_TEST_JIRA_SECRET", Self.secret, 1)
        try await TestServer.run { server, client in
            let body = Self.event("jira:issue_created", key: "PROJ-1", summary: "First", updated: "2026-03-02T10:00:00.000+0000")
            #expect(try await post(client, body, signature: Self.sign(body)).status == .serviceUnavailable)
            let admin = try await client.adminToken()
            #expect(try await client.send(.post, "/api/admin/sources", json: ["name": "jira", "type": "jira",
                                                                             "config": ["webhook_secret_env": "AGNES_TEST_JIRA_SECRET"],
                                                                             "secret_env": ["AGNES_TEST_JIRA_SECRET"]], token: admin).status == .created)
            let offered = try await client.send(.get, "/api/admin/sources/jira/tables", token: admin).array
            #expect(offered.compactMap { $0["id"] as? String } == ["issues", "comments", "changelog"])
            for table in ["issues", "comments", "changelog"] {
                let registered = try await client.send(.post, "/api/admin/register-table", json: [
                    "name": "jira_\(table)", "source_name": "jira", "source_table": table, "sync_strategy": "partitioned", "partition_by": "created",
                ], token: admin)
                #expect(registered.status == .created, "\(registered.text)")
            }
            #expect(try await post(client, body, signature: nil).status == .unauthorized)
            #expect(try await post(client, body, signature: Self.sign(body, secret: "wrong")).status == .unauthorized)
            #expect(try await post(client, body + " ", signature: Self.sign(body)).status == .unauthorized)
            #expect(try await post(client, "not json", signature: Self.sign("not json")).status == .badRequest)
            let noKey = #"{"webhookEvent":"jira:issue_created","issue":{"key":"proj-1"}}"#
            #expect(try await post(client, noKey, signature: Self.sign(noKey)).status == .badRequest)

            let accepted = try await post(client, body, signature: "sha256=" + Self.sign(body))
            #expect(accepted.status == .ok && accepted.string("status") == "ok" && accepted.string("issue") == "PROJ-1"
                    && accepted.string("event") == "jira:issue_created")
            // A burst: an update (newer), an older copy arriving late, a comment, a changelog, another month's issue.
            let runs = server.services.domain.jiraRefresh.runs, burstStarted = ContinuousClock.now
            let burst = [
                Self.event("jira:issue_updated", key: "PROJ-1", summary: "First, renamed", updated: "2026-03-05T09:00:00.000+0000",
                           extra: #","changelog":{"id":"501","items":[{"field":"summary","fromString":"First","toString":"First, renamed"},{"field":"status","fromString":"Open","toString":"Done"}]}"#),
                Self.event("jira:issue_updated", key: "PROJ-1", summary: "stale", updated: "2026-03-03T09:00:00.000+0000"),
                Self.event("comment_created", key: "PROJ-1", summary: "First, renamed", updated: "2026-03-05T09:00:00.000+0000",
                           extra: #","comment":{"id":"9001","body":"Looks good","author":{"displayName":"Bob"},"created":"2026-03-05T09:30:00.000+0000"}"#),
                Self.event("jira:issue_created", key: "OPS-7", summary: "April", updated: "2026-04-01T08:00:00.000+0000", created: "2026-04-01T08:00:00.000+0000"),
            ]
            // The burst at once, each on its own connection (the test client carries one request at a time).
            let port = try #require(client.port)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for event in burst {
                    group.addTask {
                        try await TestServer.post(port: port, "/webhooks/jira", body: Data(event.utf8),
                                                  headers: ["Content-Type": "application/json", "X-Hub-Signature": Self.sign(event)])
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            // Every table holds the burst once the last coalesced sync has run (the burst may span more than one).
            for _ in 0..<300 {
                let tables = try await client.send(.get, "/api/sync/manifest", token: admin)["tables"] as? [String: [String: Any]] ?? [:]
                let counts = ["jira_issues", "jira_comments", "jira_changelog"].map { tables[$0]?["rows"] as? Int ?? 0 }
                // Recorded, and the run over (its engine rebuild serves the tables).
                let locked = try await client.send(.get, "/api/sync/status", token: admin)["locked"] as? Bool
                if counts == [2, 1, 2], locked == false { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            // At most one sync per second of the burst (however many events), and one for the event before it.
            let seconds = Int((ContinuousClock.now - burstStarted).components.seconds)
            #expect(server.services.domain.jiraRefresh.runs - runs <= seconds + 2, "syncs are coalesced, not one per event")
            let issues = try await client.send(.post, "/api/query", json: ["sql": "SELECT key, summary, project FROM jira_issues ORDER BY key"], token: admin)
            #expect((issues["rows"] as? [[String]]) == [["OPS-7", "April", "OPS"], ["PROJ-1", "First, renamed", "PROJ"]], "\(issues.text)")
            let comments = try await client.send(.post, "/api/query", json: ["sql": "SELECT id, issue_key, author, body FROM jira_comments"], token: admin)
            #expect((comments["rows"] as? [[String]]) == [["9001", "PROJ-1", "Bob", "Looks good"]], "\(comments.text)")
            let changes = try await client.send(.post, "/api/query", json: ["sql": "SELECT field, to_value FROM jira_changelog ORDER BY id"], token: admin)
            #expect((changes["rows"] as? [[String]]) == [["summary", "First, renamed"], ["status", "Done"]], "\(changes.text)")
            let manifest = try await client.send(.get, "/api/sync/manifest", token: admin)
            let parts = ((manifest["tables"] as? [String: [String: Any]])?["jira_issues"]?["parts"] as? [[String: Any]])?.compactMap { $0["path"] as? String } ?? []
            #expect(parts.count == 2 && parts.contains { $0.contains("2026-03") } && parts.contains { $0.contains("2026-04") }, "\(parts)")
        }
    }

    @Test("the first sync of issues backfills through Jira's REST search, page by page; webhooks then update them")
    func backfill() async throws {
        setenv("AGNES_TEST_JIRA_SECRET", Self.secret, 1)
        setenv("AGNES_TEST_JIRA_TOKEN", JiraTestServer.token, 1)
        try await JiraTestServer(count: 5).run { jira in
            try await TestServer.run { server, client in
                let admin = try await client.adminToken()
                let created = try await client.send(.post, "/api/admin/sources", json: ["name": "jira", "type": "jira", "config": [
                    "webhook_secret_env": "AGNES_TEST_JIRA_SECRET", "site_url": jira.base, "email": JiraTestServer.email,
                    "token_env": "AGNES_TEST_JIRA_TOKEN", "backfill_jql": "project = OLD ORDER BY key",
                ], "secret_env": ["AGNES_TEST_JIRA_SECRET", "AGNES_TEST_JIRA_TOKEN"]], token: admin)
                #expect(created.status == .created, "\(created.text)")
                #expect(try await client.send(.post, "/api/admin/register-table", json: [
                    "name": "jira_issues", "source_name": "jira", "source_table": "issues", "sync_strategy": "partitioned", "partition_by": "created",
                ], token: admin).status == .created)
                try await Self.sync(server, "jira_issues")
                #expect(jira.searches == Array(repeating: "project = OLD ORDER BY key", count: 3), "five issues at two a page")
                let backfilled = try await client.send(.post, "/api/query", json: ["sql": "SELECT count(*), min(key), max(summary) FROM jira_issues"], token: admin)
                #expect((backfilled["rows"] as? [[Any]])?.first.map { $0.map { "\($0)" } } == ["5", "OLD-1", "Old issue 5"], "\(backfilled.text)")

                let update = Self.event("jira:issue_updated", key: "OLD-2", summary: "Reopened", updated: "2026-11-01T10:00:00.000+0000", id: "20002")
                #expect(try await post(client, update, signature: Self.sign(update)).status == .ok)
                // The webhook's own (coalesced) sync, or ours when it has run already.
                try? await Task.sleep(for: .milliseconds(1500))
                try await Self.sync(server, "jira_issues")
                #expect(jira.searches.count == 3, "the backfill runs once")
                let updated = try await client.send(.post, "/api/query", json: ["sql": "SELECT count(*), max(summary) FILTER (WHERE key = 'OLD-2') FROM jira_issues"],
                                                    token: admin)
                #expect((updated["rows"] as? [[Any]])?.first.map { $0.map { "\($0)" } } == ["5", "Reopened"], "\(updated.text)")
            }
        }
    }

    /// Syncs `table` to the end, waiting for a sync already running (a webhook's) instead of failing.
    static func sync(_ server: TestServer, _ table: String) async throws {
        for _ in 0..<300 {
            do {
                try await server.services.dataPlane.syncNow([table], trigger: "test")
                return
            } catch is DataPlane.SyncInProgress {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        Issue.record("a sync of \(table) could not start in 30 s")
    }
}
