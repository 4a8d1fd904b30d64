// The remote scan cap over the real server and a real PostgreSQL: a query whose remote tables hold more than
// `query.remote_max_scan_bytes` at the source is refused with upstream's `remote_scan_too_large` detail, a small one is
// answered, the snapshot estimate tells the same size, a caller reading through an access policy is not shown the
// figure; and `agnes query --remote --auto-snapshot` snapshots the table, answers locally, and reuses the snapshot.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("remote scan cap", .serialized)
struct RemoteScanCapTests {
    static let limit = 65_536

    @Test("over the cap: 400 remote_scan_too_large with the tables to snapshot; --auto-snapshot answers locally and reuses its snapshot")
    func cap() async throws {
        let cluster = try PostgresTestCluster.start()
        defer { cluster.stop() }
        let pg = try cluster.seedingConnection()
        try pg.execute("CREATE TABLE pg.public.events AS SELECT i AS id, 'event number ' || i AS label FROM range(20000) t(i)")
        try pg.execute("CREATE TABLE pg.public.tiny AS SELECT i AS id FROM range(3) t(i)")
        let server = try await DemoServer.start(environment: ["EVENTS_PG_PASSWORD": cluster.password,
                                                              "AGNES_QUERY_REMOTE_MAX_SCAN_BYTES": String(Self.limit)])
        defer { server.stop() }
        let client = server.client, admin = server.admin
        let created = try await client.call("POST", "/api/admin/sources", json: [
            "name": "events_db", "type": "postgres", "secret_env": ["EVENTS_PG_PASSWORD"],
            "config": ["host": "127.0.0.1", "port": cluster.port, "database": "postgres", "user": "postgres", "password_env": "EVENTS_PG_PASSWORD",
                       "sslmode": "disable"],
        ], token: admin)
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        for (name, table, extra) in [("live_events", "events", [String: String]()), ("live_tiny", "tiny", [:]),
                                     ("scoped_events", "events", ["access_policy_sql": "SELECT * FROM scoped_events WHERE id < 10",
                                                                  "access_policy_note": "the first ten only"])] {
            let registered = try await client.call("POST", "/api/admin/register-table", json: [
                "name": name, "source_name": "events_db", "source_table": table, "query_mode": "remote", "folder": "sales",
            ].merging(extra) { $1 }, token: admin)
            #expect(registered.status == 201, "\(name): \(String(decoding: registered.body, as: UTF8.self))")
        }

        let refused = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM live_events WHERE id < 100"], token: admin)
        let detail = try #require(refused.object["detail"] as? [String: Any], "\(refused.status) \(String(decoding: refused.body, as: UTF8.self))")
        #expect(refused.status == 400 && detail["reason"] as? String == "remote_scan_too_large")
        let scanBytes = try #require(detail["scan_bytes"] as? Int)
        #expect(scanBytes > Self.limit && detail["limit_bytes"] as? Int == Self.limit)
        #expect(detail["tables"] as? [String] == ["live_events"] && detail["view_targets"] as? [String] == ["live_events"])
        #expect((detail["suggestion"] as? String)?.contains("agnes snapshot create live_events") == true)
        // A small remote table is under the cap, and a query that names no remote table is never asked about.
        let small = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM live_tiny"], token: admin)
        #expect(small.status == 200 && (small.object["rows"] as? [[Int]])?.first?.first == 3)
        // The snapshot estimate tells the same size at the source; a scan (the way out) is not capped.
        let estimate = try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "live_events"], token: admin)
        #expect(estimate.status == 200 && estimate.object["estimated_scan_bytes"] as? Int == scanBytes)
        let scan = try await client.call("POST", "/api/v2/scan", json: ["table_id": "live_events", "where": "id < 5"], token: admin,
                                         headers: ["Accept": "application/vnd.apache.parquet"])
        #expect(scan.status == 200 && scan.headers["X-Agnes-Rows"] as? String == "5")

        // An analyst reading the table through an access policy is refused too, without the table's size.
        let policied = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM scoped_events"], token: server.analyst)
        let hidden = try #require(policied.object["detail"] as? [String: Any], "\(policied.status) \(String(decoding: policied.body, as: UTF8.self))")
        #expect(policied.status == 400 && hidden["reason"] as? String == "remote_scan_too_large" && hidden["scan_bytes"] is NSNull)
        #expect(!String(decoding: policied.body, as: UTF8.self).contains(String(scanBytes)))
        let policiedEstimate = try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "scoped_events"], token: server.analyst)
        #expect(policiedEstimate.status != 200 && !String(decoding: policiedEstimate.body, as: UTF8.self).contains(String(scanBytes)))

        // The CLI: refused with a hint without --auto-snapshot; with it, snapshotted, answered locally, then reused.
        let config = try temporaryDirectory(), workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: config); try? FileManager.default.removeItem(at: workspace) }
        let environment = ["AGNES_CONFIG_DIR": config.path, "AGNES_SERVER": client.base.absoluteString, "AGNES_TOKEN": admin,
                           "AGNES_LOCAL_DIR": workspace.path]
        let cli = CLIFlowTests()
        let sql = "SELECT count(*) AS n, max(live_events.id) AS top FROM live_events WHERE label LIKE 'event number 1%'"
        let plain = try await cli.agnes(["query", "--remote", sql], environment: environment)
        #expect(plain.status == 1 && plain.err.contains("over the limit of \(Self.limit) bytes") && plain.err.contains("--auto-snapshot"), "\(plain.err)")
        let first = try await cli.agnes(["query", "--remote", "--auto-snapshot", "--format", "csv", sql], environment: environment)
        #expect(first.status == 0, "\(first.err)")
        let expected = try #require(try Database().connect().scalar(String.self, """
            SELECT count(*)::VARCHAR || ',' || max(i)::VARCHAR FROM range(20000) t(i) WHERE ('event number ' || i) LIKE 'event number 1%'
            """))
        #expect(first.out.components(separatedBy: .newlines).contains(expected), "\(first.out) | \(expected)")
        let name = try #require(first.err.firstMatch(of: /snapshotting it whole as (auto_[0-9a-f]{8})/)?.1).description
        #expect(first.err.contains("[auto-snapshot] running locally"))
        let again = try await cli.agnes(["query", "--remote", "--auto-snapshot", "--format", "csv", sql], environment: environment)
        #expect(again.status == 0 && again.err.contains("[auto-snapshot] reusing \(name) for live_events") && again.out == first.out, "\(again.err)")
        let listed = try await cli.agnes(["snapshot", "list"], environment: environment)
        #expect(listed.out.contains(name))
        #expect(try await cli.agnes(["query", "--local", "--auto-snapshot", "SELECT 1"], environment: environment).status == 2)
    }
}
