// Jira through the real server binary and the real CLI: a jira source and its issues table, signed webhook events
// (and a forged one refused), the coalesced sync, then `agnes init` pulls the table and a local query sees the
// newest version of each issue.
import AgnesTestSupport
import Crypto
import Foundation
import Testing

@Suite("jira flow", .serialized)
struct JiraFlowTests {
    static let secret = "jira-flow-secret-5678"

    static func signed(_ body: String) -> [String: String] {
        let code = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return ["X-Hub-Signature-256": "sha256=" + code.map { String(format: "%02x", $0) }.joined(), "Content-Type": "application/json"]
    }

    static func event(key: String, summary: String, updated: String) -> String {
        #"{"webhookEvent":"jira:issue_updated","issue":{"id":"\#(key)","key":"\#(key)","fields":{"summary":"\#(summary)","status":{"name":"Open"},"#
            + #""project":{"key":"OPS"},"created":"2026-05-0\#(key.last!)T08:00:00.000+0000","updated":"\#(updated)"}}}"#
    }

    @Test("webhooks → coalesced sync → manifest → agnes pull → local query; a forged event changes nothing")
    func flow() async throws {
        let server = try await DemoServer.start(environment: ["JIRA_WEBHOOK_SECRET": Self.secret])
        defer { server.stop() }
        let client = server.client, admin = server.admin
        #expect(try await client.call("POST", "/api/admin/sources", json: ["name": "jira", "type": "jira", "config": [String: String](),
                                                                          "secret_env": ["JIRA_WEBHOOK_SECRET"]], token: admin).status == 201)
        #expect(try await client.call("POST", "/api/admin/register-table", json: [
            "name": "jira_issues", "source_name": "jira", "source_table": "issues", "sync_strategy": "partitioned", "partition_by": "created",
        ], token: admin).status == 201)
        let events = [Self.event(key: "OPS-1", summary: "Disk full", updated: "2026-05-01T09:00:00.000+0000"),
                      Self.event(key: "OPS-2", summary: "Backup late", updated: "2026-05-02T09:00:00.000+0000"),
                      Self.event(key: "OPS-1", summary: "Disk full (fixed)", updated: "2026-05-03T09:00:00.000+0000")]
        for event in events { #expect(try await client.call("POST", "/webhooks/jira", raw: event, headers: Self.signed(event)).status == 200) }
        let forged = Self.event(key: "OPS-3", summary: "forged", updated: "2026-05-04T09:00:00.000+0000")
        #expect(try await client.call("POST", "/webhooks/jira", raw: forged, headers: Self.signed(events[0])).status == 401)
        var rows = 0
        for _ in 0..<300 where rows != 2 {
            try await Task.sleep(for: .milliseconds(100))
            let manifest = try await client.call("GET", "/api/sync/manifest", token: admin)
            rows = ((manifest.object["tables"] as? [String: [String: Any]])?["jira_issues"]?["rows"] as? Int) ?? 0
        }
        #expect(rows == 2)

        let cli = CLIFlowTests(), root = server.dataDirectory.appendingPathComponent("cli", isDirectory: true)
        let environment = ["AGNES_CONFIG_DIR": root.appendingPathComponent("config").path, "AGNES_TOKEN": "",
                           "AGNES_LOCAL_DIR": root.appendingPathComponent("workspace").path]
        let initialized = try await cli.agnes(["init", "--server-url", client.base.absoluteString, "--token", admin, "--quiet"], environment: environment)
        #expect(initialized.status == 0, "\(initialized.err)")
        let local = try await cli.agnes(["query", "--local", "--format", "csv", "SELECT key, summary FROM jira_issues ORDER BY key"], environment: environment)
        #expect(local.out == "key,summary\r\nOPS-1,Disk full (fixed)\r\nOPS-2,Backup late\r\n", "\(local.out) \(local.err)")
    }
}
