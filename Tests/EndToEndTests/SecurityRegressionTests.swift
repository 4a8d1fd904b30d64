// Security regressions, one test each, named after the weakness (docs/reliability.md lists every weakness with the
// test that holds it; these are the ones no other suite names). Each runs against the real agnes-server binary with
// the demo dataset, as an analyst of the sales folder (or an administrator, where the weakness is theirs to reach).
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("security regressions", .serialized)
struct SecurityRegressionTests {
    /// What only the ungranted table, the state database or the server's disk would put into an answer.
    static func secrets(_ server: DemoServer) -> [String] {
        ["session_id", "root:x:0:0", "DUCK", server.dataDirectory.path, "/state/", "system.duckdb", ".parquet"]
    }

    static func expectNothing(_ exchange: Exchange, _ server: DemoServer, _ what: String) {
        let body = String(decoding: exchange.body, as: UTF8.self)
        #expect(exchange.status >= 400, "\(what): \(exchange.status) \(body.prefix(300))")
        for secret in secrets(server) where !what.contains(secret) {
            #expect(!body.contains(secret), "\(what): the answer carries '\(secret)': \(body.prefix(300))")
        }
    }

    @Test("qualified table names: another catalog or schema (other_db.main.t, system.main.users, memory.main.web_sessions) reads nothing")
    func qualifiedTableNames() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        for table in ["system.main.users", "system.users", "memory.main.web_sessions", "main.web_sessions", "web.web_sessions", "other_db.main.t",
                      "\"system\".\"main\".\"personal_access_tokens\"", "information_schema.tables", "pg_catalog.pg_tables"] {
            let answer = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT * FROM \(table)"], token: server.analyst)
            Self.expectNothing(answer, server, table)
        }
    }

    @Test("file paths and URLs in FROM ('/etc/passwd', 's3://…', read_parquet([…]), the state database) read nothing")
    func filePathsInFrom() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let state = server.dataDirectory.appendingPathComponent("state/system.duckdb").path
        for from in ["'/etc/passwd'", "read_csv('/etc/passwd')", "'s3://bucket/key.parquet'", "'https://example.com/x.csv'",
                     "read_parquet(['\(server.dataDirectory.path)/data/orders.parquet'])", "read_text('/etc/passwd')", "read_blob('\(state)')",
                     "'\(state)'", "glob('\(server.dataDirectory.path)/*')", "read_parquet('\(server.dataDirectory.path)/**/*.parquet')"] {
            let answer = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT * FROM \(from)"], token: server.analyst)
            Self.expectNothing(answer, server, from)
        }
        // An ATTACH of the state database or of a remote host is not a SELECT.
        for statement in ["ATTACH '\(state)' AS s", "ATTACH 'postgres:host=169.254.169.254' AS p", "INSTALL httpfs", "COPY orders TO '/tmp/x.csv'"] {
            Self.expectNothing(try await server.client.call("POST", "/api/query", json: ["sql": statement], token: server.admin), server, statement)
        }
    }

    @Test("SQL injection through column names in scan select and order lists, and through profile and metric identifiers")
    func identifierInjection() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        for column in ["order_id\" FROM web_sessions --", "order_id, (SELECT session_id FROM web_sessions LIMIT 1)", "*", "\"order_id\"\"",
                       "order_id FROM web_sessions UNION SELECT session_id", "order_id\u{0}"] {
            for field in ["select", "order_by"] {
                let answer = try await client.call("POST", "/api/v2/scan", json: ["table_id": "orders", field: [column]], token: server.analyst)
                Self.expectNothing(answer, server, "\(field) \(column)")
            }
        }
        for path in ["/api/catalog/profile/orders%22%3B%20DROP%20TABLE%20users%3B--", "/api/catalog/profile/orders'%20OR%20'1'='1",
                     "/api/v2/schema/web_sessions%22--", "/api/v2/sample/orders%20UNION%20SELECT%20*%20FROM%20web_sessions",
                     "/api/metrics/x'%3B--/y", "/api/metrics/sales/revenue%22%20OR%201%3D1"] {
            Self.expectNothing(try await client.call("GET", path, token: server.analyst), server, path)
        }
        let metric = try await client.call("POST", "/api/admin/metrics", json: ["name": "m'; DROP TABLE users; --", "category": "sales",
                                                                                 "sql": "SELECT 1"], token: server.admin)
        #expect(metric.status == 400 || metric.status == 422, "\(metric.status)")
        // Nothing was dropped: the users are all there.
        let users = try await client.call("GET", "/api/users", token: server.admin)
        #expect(users.status == 200 && String(decoding: users.body, as: UTF8.self).contains(DemoServer.analystEmail))
    }

    @Test("path traversal through table ids and part names (../, %2F, encoded NUL, absolute paths) reaches no file")
    func pathTraversal() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let data = server.dataDirectory.path
        let ids = ["..%2F..%2F..%2Fetc%2Fpasswd", "..%2Fstate%2Fsystem.duckdb", "%2Fetc%2Fpasswd", "orders%00.parquet", "orders%2F..%2F..%2Fstate",
                   "%2E%2E", "..", "orders%5C..%5C..%5Cstate", String(data.dropFirst()).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!]
        for token in [server.admin, server.analyst] {
            for id in ids {
                for path in ["/api/data/\(id)/download", "/api/data/web_sessions/parts/\(id)", "/api/data/\(id)/parts/2025-03"] {
                    Self.expectNothing(try await server.client.call("GET", path, token: token), server, path)
                }
            }
        }
    }

    @Test("unbounded limits on list endpoints: every limit is capped or refused")
    func unboundedLimits() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let audit = try await client.call("GET", "/api/admin/audit?limit=1000000000", token: server.admin)
        #expect(audit.status == 200 && (audit.object["limit"] as? Int).map { $0 <= 1_000 } == true, "\(audit.object["limit"] ?? "none")")
        for (path, refused) in [("/api/memory?per_page=1000000", 400), ("/api/knowledge/search?q=x&limit=1000000", 422),
                                ("/api/glossary?limit=1000000", 422), ("/api/memory?page=-1", 400), ("/api/admin/audit?limit=-5", 400)] {
            let answer = try await client.call("GET", path, token: server.admin)
            #expect(answer.status == refused, "\(path): \(answer.status)")
        }
        for path in ["/api/sync/history?limit=1000000000", "/api/upload/mine?limit=1000000000"] {
            #expect(try await client.call("GET", path, token: server.admin).status == 200, "\(path)")
        }
    }

    @Test("tokens stored unhashed: the state database and the log hold no session, PAT or one-time secret, nor a password")
    func tokensStoredHashed() async throws {
        let server = try await DemoServer.start()
        let client = server.client
        let pat = try #require(try await client.call("POST", "/auth/tokens", json: ["name": "ci"], token: server.admin).string("token"))
        let reset = try await client.call("POST", "/api/users?send_invite=true", json: ["email": "new@example.com", "name": "New", "send_invite": true],
                                          token: server.admin)
        #expect(reset.status == 201)
        let link = try #require(server.log.components(separatedBy: "token=").dropFirst().first.map { String($0.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) })
        #expect(link.count >= 20, "the invitation's token is in the mail log (mail is logged, not sent, in tests)")
        let session = server.analyst
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        defer { server.stop() }
        // Every text of every row of every table, as text.
        let database = try Database(path: server.dataDirectory.appendingPathComponent("state/system.duckdb").path)
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        var everything = ""
        for row in try connection.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").rows() {
            let table = row[0].stringValue!
            for text in try connection.query("SELECT CAST(t AS VARCHAR) FROM \"\(table)\" t").rows() { everything += text[0].stringValue ?? "" }
        }
        #expect(everything.contains("personal_access") || everything.count > 1_000, "the dump read the tables")
        for (name, secret) in [("PAT", pat), ("session JWT signature", String(session.split(separator: ".").last ?? "")), ("invitation token", link),
                               ("password", DemoServer.analystPassword)] {
            #expect(!everything.contains(secret), "the state database holds the \(name)")
        }
        // The log names the PAT by its prefix at most, never whole (the invitation link is the mail itself, logged in tests by design).
        #expect(!server.log.contains(pat) && !server.log.contains(DemoServer.analystPassword) && !server.log.contains(session))
    }

    @Test("SSRF in test connection: loopback, private and link-local hosts are refused unless allowed")
    func serverSideRequestForgery() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        for (index, host) in ["127.0.0.1", "10.0.0.5", "169.254.169.254", "192.168.1.1", "localhost", "::1", "0.0.0.0", "::ffff:127.0.0.1", "172.16.0.1"].enumerated() {
            let name = "probe\(index)"
            let created = try await server.client.call("POST", "/api/admin/sources", json: [
                "name": name, "type": "postgres", "config": ["host": host, "port": 5432, "database": "x", "user": "x"],
            ], token: server.admin)
            #expect(created.status == 201, "\(host): \(created.status) \(String(decoding: created.body, as: UTF8.self))")
            let tested = try await server.client.call("POST", "/api/admin/sources/\(name)/test", token: server.admin)
            #expect(tested.status == 400 && tested.detail.map { $0.contains("internal address") || $0.contains("does not resolve") } == true,
                    "\(host): \(tested.status) \(String(decoding: tested.body, as: UTF8.self))")
        }
        let api = try await server.client.call("POST", "/api/admin/sources", json: [
            "name": "api", "type": "http_json", "config": ["base_url": "https://169.254.169.254/latest/meta-data/"],
        ], token: server.admin)
        if api.status == 201 {
            let tested = try await server.client.call("POST", "/api/admin/sources/api/test", token: server.admin)
            #expect(tested.status == 400, "\(tested.status) \(String(decoding: tested.body, as: UTF8.self))")
        } else {
            #expect(api.status == 400 || api.status == 422)
        }
    }
}
