// The analyst's workspace end to end with the real binaries: an administrator sets everything up with `agnes admin`
// (source, tables, sync, user, group, grants); the analyst signs in, makes a token, runs `agnes init` (CLAUDE.md from the
// server, Claude Code hooks, first pull of exactly the granted tables), queries, exports parquet, and `agnes push`es a
// session the way the SessionEnd hook does; a revoked grant makes the table disappear at the next pull.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("agnes workspace and admin", .serialized)
struct WorkspaceFlowTests {
    @Test("admin setup, init, pull of granted tables, query, parquet export, push from the hook, revoke")
    func flow() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataDirectory = root.appendingPathComponent("data"), sources = root.appendingPathComponent("sources")
        let workspace = root.appendingPathComponent("analysis")
        for directory in [dataDirectory, sources] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        _ = FileManager.default.createFile(atPath: dataDirectory.appendingPathComponent("server.log").path, contents: nil)
        let maker = try Database().connect()
        try maker.execute("COPY (SELECT i AS id, 'c' || i AS name FROM range(500) t(i)) TO '\(sources.appendingPathComponent("customers.csv").path)' (HEADER)")
        try maker.execute("COPY (SELECT i AS id, i % 500 AS customer_id, i * 1.5 AS amount FROM range(20000) t(i)) TO '\(sources.appendingPathComponent("orders.csv").path)' (HEADER)")
        try maker.execute("COPY (SELECT 1 AS id, 100000 AS salary) TO '\(sources.appendingPathComponent("payroll.csv").path)' (HEADER)")

        let (server, client) = try await DataPlaneFlowTests().start(dataDirectory, environment: [:])
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        _ = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
        let cli = CLIFlowTests()
        let url = client.base.absoluteString
        let admin = ["AGNES_CONFIG_DIR": root.appendingPathComponent("admin-config").path, "AGNES_LOCAL_DIR": root.appendingPathComponent("admin-ws").path,
                     "AGNES_TOKEN": ""]
        func asAdmin(_ arguments: [String], input: String? = nil, _ environment: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
            try await cli.agnes(arguments, environment: admin.merging(environment) { $1 }, input: input)
        }
        #expect(try await asAdmin(["login", "--server", url, "--email", "root@example.com", "--password-stdin"], input: "root password 123\n").status == 0)

        // The administrator's setup, all over HTTP.
        let source = try await asAdmin(["admin", "sources", "add", "shop", "--type", "files", "--config", #"{"directory":"\#(sources.path)"}"#])
        #expect(source.status == 0 && source.out.hasPrefix("Added the source shop."), "\(source.out)\(source.err)")
        #expect(try await asAdmin(["admin", "sources", "test", "shop"]).out.hasPrefix("shop: ok"))
        for name in ["customers", "orders", "payroll"] {
            let registered = try await asAdmin(["admin", "register-table", name, "--source", "shop", "--source-table", "\(name).csv", "--description", "The \(name)"])
            #expect(registered.status == 0 && registered.out.hasPrefix("Registered \(name) as \(name)."), "\(registered.out)\(registered.err)")
        }
        #expect(try await asAdmin(["admin", "register-table", "orders", "--source", "shop", "--source-table", "orders.csv"]).status == 1)
        #expect(try await asAdmin(["admin", "update-table", "orders", "--sync-schedule", "every 6h"]).status == 0)
        let sync = try await asAdmin(["admin", "sync", "--wait", "--json"])
        #expect(sync.status == 0 && sync.out.contains(#""status":"ok""#) && !sync.out.contains(#""status":"error""#), "\(sync.out)\(sync.err)")
        let tables = try await asAdmin(["admin", "list-tables", "--json"])
        #expect(tables.out.contains(#""sync_schedule":"every 6h""#), "\(tables.out)")

        let added = try await asAdmin(["admin", "add-user", "ana@example.com", "--name", "Ana"])
        #expect(added.status == 0 && added.out.hasPrefix("Created ana@example.com"), "\(added.out)\(added.err)")
        #expect(try await asAdmin(["admin", "set-password", "ana@example.com"], ["AGNES_NEW_PASSWORD": "ana's long password"]).status == 0)
        #expect(try await asAdmin(["admin", "group", "create", "Analysts", "--description", "Sales analysts"]).status == 0)
        #expect(try await asAdmin(["admin", "group", "add-member", "Analysts", "ana@example.com"]).status == 0)
        for table in ["customers", "orders"] { #expect(try await asAdmin(["admin", "grant", "create", "Analysts", "table", table]).status == 0) }
        let members = try await asAdmin(["admin", "group", "members", "Analysts", "--json"])
        #expect(members.out.contains("ana@example.com"))
        let users = try await asAdmin(["admin", "list-users"])
        #expect(users.out.contains("ana@example.com") && users.out.contains("Analysts"), "\(users.out)")
        #expect(try await asAdmin(["admin", "remove-user", "ana@example.com"]).status == 2)  // no terminal to confirm on

        // The analyst: password sign-in, a token for the workspace, then init.
        let analyst = ["AGNES_CONFIG_DIR": root.appendingPathComponent("ana-config").path, "AGNES_TOKEN": "", "AGNES_LOCAL_DIR": workspace.path]
        #expect(try await cli.agnes(["login", "--server", url, "--email", "ana@example.com"], environment: analyst.merging(["AGNES_PASSWORD": "ana's long password"]) { $1 }).status == 0)
        let token = try await cli.agnes(["auth", "token", "create", "--name", "laptop", "--raw"], environment: analyst).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!token.isEmpty)
        #expect(try await cli.agnes(["auth", "token", "list"], environment: analyst).out.contains("laptop"))
        #expect(try await cli.agnes(["logout"], environment: analyst).status == 0)

        let initialized = try await cli.agnes(["init", "--server-url", url, "--token", token, "--json"], environment: analyst)
        #expect(initialized.status == 0 && initialized.out.contains(#""email":"ana@example.com""#), "\(initialized.out)\(initialized.err)")
        let claude = try String(contentsOf: workspace.appendingPathComponent("CLAUDE.md"), encoding: .utf8)
        #expect(claude.contains("AI Data Analyst") && claude.contains("`customers`") && claude.contains("`orders`") && !claude.contains("payroll"))
        let settings = try String(contentsOf: workspace.appendingPathComponent(".claude/settings.json"), encoding: .utf8)
        #expect(settings.contains("agnes pull --quiet || true") && settings.contains("agnes push --quiet --from-hook || true"))
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent(".claude/init-complete").path))
        let parquet = try FileManager.default.contentsOfDirectory(atPath: workspace.appendingPathComponent("server/parquet").path).sorted()
        #expect(parquet == ["customers.parquet", "orders.parquet"], "\(parquet)")
        let again = try await cli.agnes(["init", "--server-url", url, "--token", token], environment: analyst)
        #expect(again.status == 1 && again.err.contains("already an Agnes workspace"))
        #expect(try await cli.agnes(["init", "--server-url", url, "--token", token, "--force", "--quiet"], environment: analyst).status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: workspace.path)
        #expect(files.contains { $0.hasPrefix("CLAUDE.md.bak-") }, "\(files)")

        let total = try await cli.agnes(["query", "--format", "csv", "SELECT count(*) AS n, sum(amount) AS total FROM orders"], environment: analyst)
        #expect(total.out == "n,total\r\n20000,299985000.0\r\n", "\(total.out)\(total.err)")
        let export = workspace.appendingPathComponent("big.parquet")
        let exported = try await cli.agnes(["query", "--format", "parquet", "--output", export.path, "SELECT * FROM orders WHERE amount >= 15000"], environment: analyst)
        #expect(exported.status == 0 && exported.err.contains("wrote 10000 rows"), "\(exported.err)")
        #expect(try Database().connect().query("SELECT count(*) FROM '\(export.path)'").rows().first?.values.first?.description == "10000")

        // A session ends: the hook queues and sends its transcript; the notes go too, once.
        let transcript = root.appendingPathComponent("session-7.jsonl")
        try Data((0..<1000).map { #"{"turn":\#($0),"text":"looked at orders"}"# + "\n" }.joined().utf8).write(to: transcript)
        try "# Notes\norders.amount is in EUR\n".write(to: workspace.appendingPathComponent(".claude/CLAUDE.local.md"), atomically: true, encoding: .utf8)
        let hook = #"{"session_id":"7f3a-session","transcript_path":"\#(transcript.path)","hook_event_name":"SessionEnd","reason":"exit"}"#
        let dry = try await cli.agnes(["push", "--from-hook", "--dry-run", "--json"], environment: analyst, input: hook)
        #expect(dry.out.contains(#""sessions_uploaded":["7f3a-session"]"#) && dry.out.contains(#""local_md":"would upload""#), "\(dry.out)\(dry.err)")
        let status = try await cli.agnes(["status", "--json"], environment: analyst)
        #expect(status.out.contains(#""sessions_pending_upload":1"#) && status.out.contains(#""initialized":true"#), "\(status.out)")
        // A push killed after its upload, before it rewrote its queue (AGNES_CRASH_AT): the session is still queued,
        // the next push sends it again, and the server keeps one upload of it.
        let killedPush = try await cli.agnes(["push", "--quiet"], environment: analyst.merging(["AGNES_CRASH_AT": "push.before-queue"]) { $1 })
        #expect(killedPush.status == SIGKILL, "the push did not stop before its queue: \(killedPush.out)\(killedPush.err)")
        #expect(try await cli.agnes(["status", "--json"], environment: analyst).out.contains(#""sessions_pending_upload":1"#))
        let pushed = try await cli.agnes(["push", "--json"], environment: analyst)
        let uploads = (try await client.call("GET", "/api/upload/mine", token: token).object["uploads"] as? [[String: Any]]) ?? []
        #expect(uploads.filter { ($0["name"] as? String)?.contains("7f3a-session") == true }.count == 1, "\(uploads)")
        #expect(pushed.status == 0 && pushed.out.contains(#""sessions_uploaded":["7f3a-session"]"#) && pushed.out.contains(#""local_md":"uploaded""#),
                "\(pushed.out)\(pushed.err)")
        let users2 = try await client.call("GET", "/api/users", token: try await client.call("POST", "/auth/token",
            json: ["email": "root@example.com", "password": "root password 123"]).string("access_token"))
        let anaId = try #require((try JSONSerialization.jsonObject(with: users2.body) as? [[String: Any]])?.first { $0["email"] as? String == "ana@example.com" }?["id"] as? String)
        #expect(try Data(contentsOf: dataDirectory.appendingPathComponent("uploads/sessions/\(anaId)/7f3a-session.jsonl")) == Data(contentsOf: transcript))
        #expect(try String(contentsOf: dataDirectory.appendingPathComponent("uploads/local_md/\(anaId).md"), encoding: .utf8).contains("EUR"))
        let quiet = try await cli.agnes(["push", "--quiet"], environment: analyst)
        #expect(quiet.status == 0 && quiet.out.isEmpty && quiet.err.isEmpty)
        let second = try await cli.agnes(["push", "--json"], environment: analyst)
        #expect(second.out.contains(#""sessions_uploaded":[]"#) && second.out.contains(#""local_md":"unchanged""#), "\(second.out)")
        // Audit rows are written in batches (at most 200 ms apart): give the batch time to land.
        var audit = try await asAdmin(["admin", "audit", "--since", "1h", "--user", "ana@example.com", "--action", "session.upload", "--json"])
        for _ in 0..<20 where !audit.out.contains("upload:session/7f3a-session.jsonl") {
            try await Task.sleep(for: .milliseconds(100))
            audit = try await asAdmin(["admin", "audit", "--since", "1h", "--user", "ana@example.com", "--action", "session.upload", "--json"])
        }
        #expect(audit.out.contains("upload:session/7f3a-session.jsonl"), "\(audit.out)\(audit.err)")

        // Corporate memory: the analyst proposes, the administrator makes it mandatory, the next pull writes the rule.
        let proposed = try await cli.agnes(["memory", "propose", "--title", "Amounts are in EUR", "--content", "orders.amount is EUR",
                                      "--category", "data-quality", "--tags", "currency,orders", "--json"], environment: analyst)
        let itemId = try #require((try JSONSerialization.jsonObject(with: Data(proposed.out.utf8)) as? [String: Any])?["id"] as? String, "\(proposed.err)")
        #expect(try await cli.agnes(["memory", "list", "--search", "EUR"], environment: analyst).out.contains("Amounts are in EUR"))
        #expect(try await cli.agnes(["memory", "vote", itemId, "up"], environment: analyst).out == "Votes: +1/-0\n")
        #expect(try await cli.agnes(["memory", "review", itemId, "mandate"], environment: analyst).status == 8)
        #expect(try await asAdmin(["memory", "review", itemId, "mandate", "--reason", "true for every table"]).out == "\(itemId): mandatory\n")
        let withRules = try await cli.agnes(["pull", "--json"], environment: analyst)
        #expect(withRules.out.contains(#""rules_count":1"#), "\(withRules.out)\(withRules.err)")
        let rule = try String(contentsOf: workspace.appendingPathComponent(".claude/rules/km_\(itemId).md"), encoding: .utf8)
        #expect(rule.hasPrefix("# Amounts are in EUR\n") && rule.contains("orders.amount is EUR"))
        #expect(try await cli.agnes(["memory", "show", itemId], environment: analyst).out.contains("status: mandatory"))
        // A second pull with nothing changed asks for the bundle with the ETag it kept, and gets no bundle back (304).
        func bundleAnswers(_ status: Int) async throws -> Int {
            let metrics = String(decoding: try await client.call("GET", "/metrics").body, as: UTF8.self)
            let line = metrics.split(separator: "\n").first {
                $0.hasPrefix("agnes_http_requests_total") && $0.contains("\"/api/memory/bundle\"") && $0.contains("status=\"\(status)\"")
            }
            return line.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } } ?? 0
        }
        let (sentBefore, unchangedBefore) = (try await bundleAnswers(200), try await bundleAnswers(304))
        let unchanged = try await cli.agnes(["pull", "--json"], environment: analyst)
        #expect(unchanged.out.contains(#""rules_count":1"#), "\(unchanged.out)\(unchanged.err)")
        #expect(try await bundleAnswers(200) == sentBefore, "the unchanged bundle was downloaded again")
        #expect(try await bundleAnswers(304) == unchangedBefore + 1)

        // Metric definitions: imported from the starter pack, listed and shown to analysts who may read their tables,
        // exported byte for byte.
        let starter = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/metrics")
        #expect(try await asAdmin(["admin", "metrics", "import", starter.path]).out == "Imported 6 metrics from 6 files.\n")
        let metricList = try await cli.agnes(["catalog", "--metrics"], environment: analyst)
        // Only the metrics over tables the analyst may read (customers, orders): not gross revenue, which needs order_items.
        #expect(metricList.out.contains("revenue/refund_rate") && metricList.out.contains("sales/new_customers") && metricList.out.contains("(2 rows)")
                    && !metricList.out.contains("revenue/gross_revenue"), "\(metricList.out)\(metricList.err)")
        let shown = try await cli.agnes(["catalog", "--metrics", "--show", "revenue/refund_rate"], environment: analyst)
        #expect(shown.out.hasPrefix("revenue/refund_rate: Refund rate\n") && shown.out.contains("count(*) FILTER (WHERE status = 'refunded')"))
        let exportDirectory = root.appendingPathComponent("metrics-export")
        #expect(try await asAdmin(["admin", "metrics", "export", exportDirectory.path]).status == 0)
        for path in ["revenue/gross_revenue.yml", "sales/new_customers.yml", "product_usage/active_customers.yml"] {
            #expect(try Data(contentsOf: exportDirectory.appendingPathComponent(path)) == Data(contentsOf: starter.appendingPathComponent(path)))
        }
        // This server's orders table is not the demo's: validation names what does not fit.
        let validation = try await asAdmin(["admin", "metrics", "validate"])
        #expect(validation.status == 1 && validation.out.contains("FAIL revenue/gross_revenue") && validation.out.contains("ok   sales/new_customers") == false)

        // The grant on orders goes: the analyst's next pull drops it, and nothing else.
        let grants = try await asAdmin(["admin", "grant", "list", "--group", "Analysts", "--json"])
        let grantList = try #require(try JSONSerialization.jsonObject(with: Data(grants.out.utf8)) as? [[String: Any]])
        let ordersGrant = try #require(grantList.first { $0["resource_id"] as? String == "orders" }?["id"] as? String)
        #expect(try await asAdmin(["admin", "grant", "delete", ordersGrant]).status == 0)
        let pull = try await cli.agnes(["pull", "--json"], environment: analyst)
        #expect(pull.out.contains(#""tables_removed":["orders"]"#) && pull.out.contains(#""tables_total":1"#), "\(pull.out)\(pull.err)")
        // The memory bundle, asked for while the tables download, still gives the rule.
        #expect(pull.out.contains(#""rules_count":1"#), "\(pull.out)\(pull.err)")
        #expect(try await cli.agnes(["query", "--local", "SELECT count(*) FROM orders"], environment: analyst).status == 1)
        #expect(try await cli.agnes(["query", "SELECT count(*) FROM orders"], environment: analyst).status == 8)  // auto asks the server, which refuses
        #expect(try await cli.agnes(["query", "--format", "csv", "SELECT count(*) AS n FROM customers"], environment: analyst).out == "n\r\n500\r\n")
        #expect(try await cli.agnes(["auth", "token", "revoke", "laptop"], environment: analyst).status == 0)
        #expect(try await cli.agnes(["pull"], environment: analyst).status == 7)

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
    }
}
