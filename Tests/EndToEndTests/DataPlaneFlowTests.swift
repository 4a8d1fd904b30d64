// The data plane over the real agnes-server binary: files, SQLite and PostgreSQL sources → sync → manifest → download
// (200, 304, 206, 416, HEAD, byte-exact sha256) → query → catalog, schema, sample, estimate, scan — as an admin and as
// an analyst who gets 403 for tables not granted; then kill -9 in the middle of a sync, a restart that still serves
// the previous data, and a next sync that completes.
import AgnesDomain
import AgnesTestSupport
import Crypto
import DuckDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("data plane flow", .serialized)
struct DataPlaneFlowTests {
    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Starts agnes-server on `dataDirectory` with the PostgreSQL password in the environment.
    func start(_ dataDirectory: URL, environment: [String: String], arguments: [String] = []) async throws -> (Process, ServerClient) {
        let logFile = dataDirectory.appendingPathComponent("server.log")
        guard let (server, port) = try await startServerProcess(["--data-dir", dataDirectory.path] + arguments, environment: environment,
                                                                logFile: logFile) else {
            Issue.record("the server did not start: \((try? String(contentsOf: logFile, encoding: .utf8))?.suffix(2_000) ?? "")")
            throw DemoServerError(message: "the server did not start")
        }
        return (server, ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!))
    }

    func waitForSync(_ client: ServerClient) async throws {
        for _ in 0..<600 {
            if try await client.call("GET", "/api/sync/status").object["locked"] as? Bool == false { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the sync did not finish in 30 s")
    }

    @Test("files, SQLite and PostgreSQL → sync → manifest → download → query → catalog and scan; kill -9 mid-sync keeps the data")
    func flow() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cluster = try PostgresTestCluster.start()
        defer { cluster.stop() }
        let dataDirectory = root.appendingPathComponent("data"), sources = root.appendingPathComponent("sources")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dataDirectory.appendingPathComponent("server.log").path, contents: nil)

        // Source data: a CSV, a SQLite database and a PostgreSQL table.
        let maker = try Database().connect()
        let orders = sources.appendingPathComponent("orders.csv").path
        try maker.execute("COPY (SELECT i AS id, i % 500 AS customer_id, round(i * 0.37, 2) AS amount FROM range(200000) t(i)) TO '\(orders)' (HEADER)")
        try maker.execute("LOAD sqlite_scanner")
        try maker.execute("ATTACH '\(sources.appendingPathComponent("catalog.sqlite").path)' AS lite (TYPE sqlite)")
        try maker.execute("CREATE TABLE lite.products AS SELECT i AS id, 'product ' || i AS title FROM range(300) t(i)")
        try maker.execute("DETACH lite")
        let pg = try cluster.seedingConnection()
        try pg.execute("CREATE TABLE pg.public.customers AS SELECT i AS id, 'customer ' || i AS name FROM range(500) t(i)")

        var (server, client) = try await start(dataDirectory, environment: ["CRM_PG_PASSWORD": cluster.password])
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        _ = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
        let admin = try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))

        for (name, type, config, secrets) in [
            ("shop", "files", ["directory": sources.path] as [String: Any], [String]()),
            ("lite", "sqlite", ["path": sources.appendingPathComponent("catalog.sqlite").path], []),
            ("crm", "postgres", ["host": "127.0.0.1", "port": cluster.port, "database": "postgres", "user": "postgres",
                                 "password_env": "CRM_PG_PASSWORD", "sslmode": "disable"], ["CRM_PG_PASSWORD"]),
        ] {
            let created = try await client.call("POST", "/api/admin/sources", json: ["name": name, "type": type, "config": config, "secret_env": secrets],
                                                token: admin)
            #expect(created.status == 201, "\(name): \(String(decoding: created.body, as: UTF8.self))")
        }
        // The PostgreSQL server is on 127.0.0.1: a connection test refuses it unless private hosts are allowed.
        let refused = try await client.call("POST", "/api/admin/sources/crm/test", token: admin)
        #expect(refused.status == 400 && refused.detail?.contains("internal address") == true)
        for (name, source, table, extra) in [("orders", "shop", "orders.csv", ["folder": "sales"]), ("products", "lite", "products", [:]),
                                             ("customers", "crm", "customers", [:]), ("live_customers", "crm", "customers", ["query_mode": "remote"])] {
            let registered = try await client.call("POST", "/api/admin/register-table", json: ["name": name, "source_name": source, "source_table": table]
                .merging(extra) { $1 }, token: admin)
            #expect(registered.status == 201, "\(name): \(String(decoding: registered.body, as: UTF8.self))")
        }
        #expect(try await client.call("POST", "/api/sync/trigger", token: admin).status == 200)
        try await waitForSync(client)

        let manifest = try await client.call("GET", "/api/sync/manifest", token: admin)
        let tables = try #require(manifest.object["tables"] as? [String: [String: Any]])
        #expect(tables.keys.sorted() == ["customers", "live_customers", "orders", "products"])
        #expect(tables["orders"]?["rows"] as? Int == 200_000 && tables["products"]?["rows"] as? Int == 300 && tables["customers"]?["rows"] as? Int == 500)
        #expect(tables["live_customers"]?["query_mode"] as? String == "remote")
        // Registered by source name only: the source's type (upstream's clients print it).
        #expect(tables["orders"]?["source_type"] as? String == "files" && tables["products"]?["source_type"] as? String == "sqlite"
                && tables["live_customers"]?["source_type"] as? String == "postgres")
        let sha = try #require(tables["orders"]?["sha256"] as? String)
        let md5 = try #require(tables["orders"]?["hash"] as? String)

        // Downloads: whole, conditional, ranges, HEAD.
        let whole = try await client.call("GET", "/api/data/orders/download", token: admin)
        #expect(whole.status == 200 && Self.sha256(whole.body) == sha && md5.count == 32)
        #expect(try await client.call("GET", "/api/data/orders/download", token: admin, headers: ["If-None-Match": "\"\(sha)\""]).status == 304)
        let range = try await client.call("GET", "/api/data/orders/download", token: admin, headers: ["Range": "bytes=100-199"])
        #expect(range.status == 206 && range.body == whole.body.subdata(in: 100..<200))
        #expect(try await client.call("GET", "/api/data/orders/download", token: admin, headers: ["Range": "bytes=\(whole.body.count)-"]).status == 416)
        let head = try await client.call("HEAD", "/api/data/orders/download", token: admin)
        #expect(head.status == 200 && head.body.isEmpty && (head.headers["Content-Length"] as? String) == String(whole.body.count))

        // Queries, across sources and live against PostgreSQL.
        let joined = try await client.call("POST", "/api/query", json: ["sql": """
            SELECT count(*) AS n, sum(o.amount) > 0 AS positive FROM orders o JOIN customers c ON c.id = o.customer_id
            JOIN products p ON p.id = o.customer_id % 300
            """], token: admin)
        #expect(joined.status == 200 && (joined.object["rows"] as? [[Any]])?.first?.first as? Int == 200_000)
        try pg.execute("INSERT INTO pg.public.customers VALUES (9999, 'late')")
        let live = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM live_customers"], token: admin)
        #expect((live.object["rows"] as? [[Int]])?.first?.first == 501)
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT * FROM read_csv('\(orders)')"], token: admin).status == 400)

        // Catalog, schema, sample, estimate and scan.
        #expect((try await client.call("GET", "/api/v2/catalog", token: admin).object["tables"] as? [Any])?.count == 4)
        #expect(try await client.call("GET", "/api/v2/schema/products", token: admin).object["columns"] as? [[String: Any]] != nil)
        #expect((try await client.call("GET", "/api/v2/sample/customers?n=2", token: admin).object["rows"] as? [Any])?.count == 2)
        let estimate = try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "orders", "where": "id < 1000"], token: admin)
        #expect(estimate.status == 200 && (estimate.object["estimated_result_rows"] as? Int ?? 0) >= 1000)
        let scan = try await client.call("POST", "/api/v2/scan", json: ["table_id": "orders", "select": ["id"], "where": "id < 1000"], token: admin,
                                        headers: ["Accept": "application/vnd.apache.parquet"])
        #expect(scan.status == 200 && scan.body.prefix(4) == Data("PAR1".utf8))
        // A remote table is scanned live at its source: the row PostgreSQL got after the last sync is in the snapshot.
        let remoteEstimate = try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "live_customers", "where": "id = 9999"], token: admin)
        #expect(remoteEstimate.status == 200 && remoteEstimate.object["engine"] as? String == "duckdb")
        #expect(try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "live_customers", "where": "nope = 1"], token: admin).status == 400)
        let remoteScan = try await client.call("POST", "/api/v2/scan", json: ["table_id": "live_customers", "select": ["name"], "where": "id = 9999"],
                                              token: admin, headers: ["Accept": "application/vnd.apache.parquet"])
        #expect(remoteScan.status == 200 && remoteScan.headers["X-Agnes-Rows"] as? String == "1", "\(remoteScan.detail ?? "")")
        let snapshotFile = FileManager.default.temporaryDirectory.appendingPathComponent("remote-\(UUID().uuidString).parquet")
        defer { try? FileManager.default.removeItem(at: snapshotFile) }
        try remoteScan.body.write(to: snapshotFile)
        #expect(try Database().connect().query("SELECT name FROM read_parquet('\(snapshotFile.path)')").rows().map { $0[0].stringValue } == ["late"])
        let remoteArrow = try await client.call("POST", "/api/v2/scan", json: ["table_id": "live_customers", "limit": 10], token: admin)
        #expect(remoteArrow.status == 200 && remoteArrow.headers["X-Agnes-Rows"] as? String == "10"
                && remoteArrow.headers["Content-Type"] as? String == "application/vnd.apache.arrow.stream")

        // An analyst with the sales folder sees orders only — and is refused, not shown nothing, for the rest.
        let user = try #require(try await client.call("POST", "/api/users", json: ["email": "ana@example.com"], token: admin).string("id"))
        _ = try await client.call("POST", "/api/users/\(user)/set-password", json: ["password": "analyst password"], token: admin)
        let group = try #require(try await client.call("POST", "/api/admin/groups", json: ["name": "Sales"], token: admin).string("id"))
        _ = try await client.call("POST", "/api/admin/groups/\(group)/members", json: ["email": "ana@example.com"], token: admin)
        _ = try await client.call("POST", "/api/admin/grants", json: ["group_id": group, "resource_type": "table_folder", "resource_id": "sales"], token: admin)
        let ana = try #require(try await client.call("POST", "/auth/token", json: ["email": "ana@example.com", "password": "analyst password"]).string("access_token"))
        #expect((try await client.call("GET", "/api/sync/manifest", token: ana).object["tables"] as? [String: Any])?.keys.sorted() == ["orders"])
        #expect(Self.sha256(try await client.call("GET", "/api/data/orders/download", token: ana).body) == sha)
        #expect(try await client.call("GET", "/api/data/customers/download", token: ana).status == 403)
        let denied = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"], token: ana)
        #expect(denied.status == 403 && denied.detail == "Access denied to table 'customers'")
        #expect(try await client.call("GET", "/api/v2/schema/customers", token: ana).status == 403)
        #expect(try await client.call("POST", "/api/v2/scan", json: ["table_id": "products"], token: ana).status == 403)

        // Killed (-9) when the next sync of orders has written its new parquet but not renamed it: the restart still
        // serves the old file. The server stops itself at that exact point (AGNES_CRASH_AT), so nothing races.
        try maker.execute("COPY (SELECT i AS id, i % 500 AS customer_id, i * 2.0 AS amount FROM range(3000000) t(i)) TO '\(orders)' (HEADER)")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        (server, client) = try await start(dataDirectory, environment: ["CRM_PG_PASSWORD": cluster.password, "AGNES_ALLOW_PRIVATE_SOURCE_HOSTS": "true",
                                                                         "AGNES_CRASH_AT": "sync.before-rename"])
        let crashing = try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))
        _ = try? await client.call("POST", "/api/sync/trigger", json: ["tables": ["orders"]], token: crashing)
        for _ in 0..<1200 where server.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        if server.isRunning { kill(server.processIdentifier, SIGTERM) }  // never reached the point: fail below, do not hang
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal && server.terminationStatus == SIGKILL, "the server did not stop at sync.before-rename")
        let data = dataDirectory.appendingPathComponent("extracts/shop/data")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []).contains { $0.contains(".tmp-") },
                "the sync's temporary file is left by the crash")

        (server, client) = try await start(dataDirectory, environment: ["CRM_PG_PASSWORD": cluster.password, "AGNES_ALLOW_PRIVATE_SOURCE_HOSTS": "true"])
        let again = try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))
        let after = try #require((try await client.call("GET", "/api/sync/manifest", token: again).object["tables"] as? [String: [String: Any]])?["orders"])
        #expect(after["sha256"] as? String == sha && after["rows"] as? Int == 200_000)
        #expect(Self.sha256(try await client.call("GET", "/api/data/orders/download", token: again).body) == sha)
        let count = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM orders"], token: again)
        #expect((count.object["rows"] as? [[Int]])?.first?.first == 200_000)

        let tested = try await client.call("POST", "/api/admin/sources/crm/test", token: again)
        #expect(tested.object["ok"] as? Bool == true && (tested.object["message"] as? String)?.contains("PostgreSQL") == true)
        #expect(try await client.call("POST", "/api/sync/trigger", json: ["tables": ["orders"]], token: again).status == 200)
        try await waitForSync(client)
        let synced = try #require((try await client.call("GET", "/api/sync/manifest", token: again).object["tables"] as? [String: [String: Any]])?["orders"])
        #expect(synced["rows"] as? Int == 3_000_000 && synced["sha256"] as? String != sha)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []).filter { $0.contains(".tmp-") }.isEmpty)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
    }
}
