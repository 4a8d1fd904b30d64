// The analyst bypass suite, over the real agnes-server binary and its demo dataset: an analyst who may read only the
// sales tables tries every way we know to reach `web_sessions` (CTE scoping in every position, nested and recursive
// CTEs, set operations, lateral joins, catalog listings, qualified names, file functions) through `/api/query`, and
// to leave the scan predicate's parentheses through `/api/v2/scan`. No answer may carry a value, column, path or row
// count of what the analyst may not read, in its body or its headers.
import AgnesTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A demo server with an administrator and an analyst of the `Analysts` group (the sales folder only).
struct DemoServer {
    let process: Process
    let client: ServerClient
    let dataDirectory: URL
    let admin: String
    let analyst: String
    static let analystEmail = "analyst@example.com", analystPassword = "analyst password 1"

    static func start(environment: [String: String] = [:]) async throws -> DemoServer {
        let dataDirectory = try temporaryDirectory()
        let logFile = dataDirectory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        guard let (server, port) = try await startServerProcess(["--demo", "--data-dir", dataDirectory.path], environment: environment,
                                                                logFile: logFile) else {
            throw DemoServerError(message: "the server did not start: \((try? String(contentsOf: logFile, encoding: .utf8)) ?? "")")
        }
        let client = ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        let boot = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
        guard let admin = boot.string("access_token") else { throw DemoServerError(message: "bootstrap failed: \(boot.status)") }
        let user = try await client.call("POST", "/api/users", json: ["email": analystEmail, "name": "Ana"], token: admin)
        guard let userId = user.string("id") else { throw DemoServerError(message: "user creation failed: \(user.status)") }
        _ = try await client.call("POST", "/api/users/\(userId)/set-password", json: ["password": analystPassword], token: admin)
        let groups = try await client.call("GET", "/api/admin/groups", token: admin)
        let decoded = try? JSONSerialization.jsonObject(with: groups.body)
        let list: [[String: Any]] = decoded as? [[String: Any]] ?? groups.object["groups"] as? [[String: Any]] ?? []
        guard let analysts = list.first(where: { $0["name"] as? String == "Analysts" })?["id"] as? String else {
            throw DemoServerError(message: "no Analysts group in \(String(decoding: groups.body, as: UTF8.self))")
        }
        _ = try await client.call("POST", "/api/admin/groups/\(analysts)/members", json: ["email": analystEmail], token: admin)
        let login = try await client.call("POST", "/auth/token", json: ["email": analystEmail, "password": analystPassword])
        guard let analyst = login.string("access_token") else { throw DemoServerError(message: "analyst login failed: \(login.status)") }
        return DemoServer(process: server, client: client, dataDirectory: dataDirectory, admin: admin, analyst: analyst)
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// The server's log so far.
    var log: String { (try? String(contentsOf: dataDirectory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "" }
}

struct DemoServerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

@Suite("analyst bypass suite", .serialized)
struct SecurityBypassTests {
    /// Strings that only the ungranted table (or the server's disk) would put into an answer.
    func canaries(_ server: DemoServer) async throws -> [String] {
        let count = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM web_sessions"], token: server.admin)
        let rows = try #require((count.object["rows"] as? [[Int]])?.first?.first)
        #expect(rows > 10_000)
        return ["session_id", "started_at", "android", "ios", "pages", String(rows), server.dataDirectory.path, "/extracts/", ".parquet", "2025-0"]
    }

    /// No canary in the answer, but for those the caller wrote in `what` themselves (an error may quote their SQL).
    func expectNothingLeaks(_ exchange: Exchange, _ canaries: [String], _ what: String) {
        let body = String(decoding: exchange.body, as: UTF8.self)
        let headers = exchange.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
        for canary in canaries where !what.contains(canary) {
            #expect(!body.contains(canary), "\(what): the body carries '\(canary)': \(body.prefix(400))")
            #expect(!headers.contains(canary), "\(what): a header carries '\(canary)'")
        }
    }

    @Test("an analyst reaches no ungranted table through /api/query: CTE scoping, set operations, lateral joins, listings")
    func queryBypasses() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let canaries = try await canaries(server)
        let refused: [(String, Int)] = [
            // CTE scoping in every position.
            ("WITH web_sessions AS (SELECT * FROM web_sessions) SELECT * FROM web_sessions", 403),
            ("SELECT count(*) FROM (WITH web_sessions AS (SELECT 1) SELECT 1) a, web_sessions", 403),
            ("WITH orders AS (SELECT * FROM web_sessions) SELECT * FROM orders", 403),
            ("WITH a AS (SELECT * FROM web_sessions), web_sessions AS (SELECT 1 AS x) SELECT * FROM a", 403),
            ("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a", 400),
            ("WITH a AS (WITH web_sessions AS (SELECT 1) SELECT * FROM web_sessions) SELECT * FROM a, web_sessions", 403),
            ("SELECT * FROM orders WHERE order_id IN (WITH web_sessions AS (SELECT 1 AS x) SELECT session_id FROM web_sessions)", 400),
            ("SELECT * FROM orders WHERE order_id IN (WITH web_sessions AS (SELECT 1 AS x) SELECT x FROM web_sessions) AND order_id IN "
                + "(SELECT session_id FROM web_sessions)", 403),
            ("SELECT (WITH web_sessions AS (SELECT 1 AS s) SELECT count(*) FROM web_sessions), (SELECT count(*) FROM web_sessions)", 403),
            ("WITH web_sessions AS MATERIALIZED (SELECT * FROM web_sessions) SELECT count(*) FROM web_sessions", 403),
            // Recursive CTEs.
            ("WITH RECURSIVE web_sessions AS (SELECT session_id FROM web_sessions UNION SELECT 1) SELECT * FROM web_sessions", 403),
            ("WITH RECURSIVE t AS (SELECT 1 AS v UNION ALL SELECT v + 1 FROM t, web_sessions WHERE v < 2) SELECT count(*) FROM t", 403),
            ("WITH RECURSIVE web_sessions AS (SELECT * FROM web_sessions) SELECT * FROM web_sessions", 403),
            // Set operations and lateral joins.
            ("SELECT order_id FROM orders UNION ALL SELECT session_id FROM web_sessions", 403),
            ("(WITH web_sessions AS (SELECT 1 AS x) SELECT * FROM web_sessions) UNION ALL (SELECT session_id FROM web_sessions)", 403),
            ("SELECT * FROM orders EXCEPT SELECT * FROM web_sessions", 403),
            ("SELECT * FROM orders o, LATERAL (SELECT count(*) FROM web_sessions) l", 403),
            ("SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM web_sessions)", 403),
            // Catalog listings and descriptions.
            ("SHOW ALL TABLES", 400), ("SHOW DATABASES", 400), ("DESCRIBE", 400), ("DESCRIBE web_sessions", 403), ("SUMMARIZE web_sessions", 403),
            ("SHOW web_sessions", 403), ("DESCRIBE SELECT * FROM web_sessions", 403), ("SHOW TABLES FROM demo", 400),
            // Qualified names, catalogs and files.
            ("SELECT * FROM demo.web_sessions", 403), ("SELECT * FROM memory.main.web_sessions", 403), ("SELECT * FROM main.web_sessions", 403),
            ("SELECT * FROM information_schema.tables", 403), ("SELECT * FROM duckdb_tables()", 400), ("SELECT * FROM duckdb_views()", 400),
            ("SELECT * FROM read_parquet('\(server.dataDirectory.path)/extracts/demo/data/web_sessions/*.parquet')", 400),
            ("SELECT * FROM '\(server.dataDirectory.path)/extracts/demo/data/web_sessions/2025-01.parquet'", 403),
            ("SELECT * FROM glob('\(server.dataDirectory.path)/*')", 400), ("SELECT current_setting('allowed_paths')", 400),
            ("FROM web_sessions", 403), ("PIVOT web_sessions ON channel", 400),
        ]
        for (sql, status) in refused {
            let answer = try await server.client.call("POST", "/api/query", json: ["sql": sql], token: server.analyst)
            #expect(answer.status == status, "\(sql) → \(answer.status) \(answer.detail ?? "")")
            expectNothingLeaks(answer, canaries, sql)
        }
        // What the analyst may list and read works, and lists only their tables.
        let tables = try await server.client.call("POST", "/api/query", json: ["sql": "SHOW TABLES"], token: server.analyst)
        #expect(tables.status == 200)
        #expect((tables.object["rows"] as? [[String]])?.map { $0[0] } == ["customers", "order_items", "orders", "products"])
        expectNothingLeaks(tables, canaries + ["web_sessions"], "SHOW TABLES")
        let described = try await server.client.call("POST", "/api/query", json: ["sql": "DESCRIBE orders"], token: server.analyst)
        #expect(described.status == 200)
        let scoped = try await server.client.call("POST", "/api/query", json: [
            "sql": "WITH web_sessions AS (SELECT * FROM orders) SELECT count(*) AS n FROM web_sessions",
        ], token: server.analyst)
        #expect(scoped.status == 200, "a CTE named like an ungranted table over a granted one runs: \(scoped.detail ?? "")")
        let recursive = try await server.client.call("POST", "/api/query", json: [
            "sql": "WITH RECURSIVE t AS (SELECT 1 AS v UNION ALL SELECT v + 1 FROM t WHERE v < 5) SELECT max(v) AS m FROM t",
        ], token: server.analyst)
        #expect((recursive.object["rows"] as? [[Int]]) == [[5]])

        // The audit records the tables a query read, CTE names resolved.
        try await Task.sleep(for: .milliseconds(400))
        let audit = try await server.client.call("GET", "/api/admin/audit?action=query.local&limit=1000", token: server.admin)
        let entries = (audit.object["rows"] as? [[String: Any]]) ?? []
        #expect(entries.contains { ($0["resource"] as? String) == "orders" && "\($0["params"] ?? "")".contains("rows_returned") },
                "\(String(decoding: audit.body, as: UTF8.self).prefix(600))")
    }

    @Test("a scan predicate cannot leave its parentheses, read other tables or files, or quote what the caller may not read")
    func scanBypasses() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let canaries = try await canaries(server)
        let predicates = [
            "1=1) QUALIFY ((SELECT count(*) FROM glob('/*')) > 0",
            "1=1) QUALIFY (current_setting('allowed_paths') IS NOT NULL",
            "1=1) QUALIFY ((SELECT count(*) FROM read_parquet('\(server.dataDirectory.path)/extracts/demo/data/web_sessions/*.parquet')) > 0",
            "1=1) UNION ALL SELECT session_id, 1, now(), 'x' FROM web_sessions WHERE (1=1",
            "1=1) ORDER BY (SELECT count(*) FROM web_sessions",
            "order_id IN (SELECT session_id FROM web_sessions)",
            "status = (SELECT channel FROM web_sessions LIMIT 1)",
            "web_sessions.session_id = 1",
            "getenv('HOME') IS NOT NULL",
            "CAST((SELECT channel FROM web_sessions LIMIT 1) AS INT) = 1",
        ]
        for predicate in predicates {
            let answer = try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "orders", "where": predicate], token: server.analyst)
            #expect(answer.status == 400, "\(predicate) → \(answer.status)")
            expectNothingLeaks(answer, canaries, predicate)
            let estimate = try await server.client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "orders", "where": predicate],
                                                        token: server.analyst)
            #expect(estimate.status == 400, "estimate of \(predicate) → \(estimate.status)")
            expectNothingLeaks(estimate, canaries, "estimate of \(predicate)")
        }
        // A conversion error quotes only the caller's own table, and no path.
        let conversion = try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "orders", "where": "CAST(status AS INT) = 1"],
                                                      token: server.analyst)
        #expect(conversion.status == 400 && conversion.detail?.hasPrefix("Scan error: Conversion Error") == true, "\(conversion.detail ?? "")")
        expectNothingLeaks(conversion, canaries, "conversion error")
        #expect(server.log.contains("Could not convert"), "the full message goes to the server log")
        // An ungranted table is 403 with nothing of it in the answer.
        let denied = try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "web_sessions"], token: server.analyst)
        #expect(denied.status == 403)
        expectNothingLeaks(denied, canaries, "scan of web_sessions")
        // The granted scan still works.
        let scan = try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "orders", "where": "status = 'refunded'", "limit": 5],
                                                token: server.analyst)
        #expect(scan.status == 200 && scan.body.count > 100)
    }

    @Test("the response cap holds for the first row; a query dropped by its client is interrupted and frees the caller's slot")
    func boundedWork() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_QUERY_MAX_CONCURRENT_PER_USER": "1", "AGNES_QUERY_TIMEOUT_SECONDS": "60"])
        defer { server.stop() }
        let big = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT repeat('x', 100000000) AS big"], token: server.analyst)
        #expect(big.status == 400 && big.body.count < 1_000 && big.detail?.contains("larger than the response limit") == true)

        // A runaway query (hours of work) whose client closes its connection — its own socket, so no HTTP client can
        // keep the connection alive or reuse it for the next request.
        do {
            let runaway = try RawConnection(port: try #require(server.client.base.port))
            let body = #"{"sql":"SELECT count(*) FROM range(10000000000) a, range(1000) b WHERE a.range + b.range = -1"}"#
            runaway.send("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(server.analyst)\r\n"
                         + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(await runaway.read(for: 0.5).text.isEmpty, "the runaway query answered")
        }
        // With one slot per user, the next query gets the slot only when the first was stopped: its own time limit is
        // 60 s, and this client gives up after 30 s, so an answer means the dropped query was interrupted.
        let next = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT 1 AS one"], token: server.analyst)
        #expect(next.status == 200)
    }
}

extension DemoServer {
    /// Triggers a sync of `tables` as the administrator and waits (30 s at most) until the run is over.
    func sync(_ tables: [String]) async throws {
        #expect(try await client.call("POST", "/api/sync/trigger", json: ["tables": tables], token: admin).status == 200)
        for _ in 0..<600 {
            if try await client.call("GET", "/api/sync/status", token: admin).object["locked"] as? Bool == false { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the sync of \(tables) did not finish in 30 s")
    }
}
