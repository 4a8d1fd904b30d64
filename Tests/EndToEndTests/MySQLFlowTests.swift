// A MySQL (MariaDB) source over the real agnes-server binary: register a copied and a live table, sync, manifest,
// download, query both (the live one sees a row inserted after the sync, and its size is estimated), and a wrong
// password that keeps the data.
import AgnesTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("mysql flow", .serialized)
struct MySQLFlowTests {
    @Test("MariaDB → register → sync → manifest → download → query, and remote tables read live")
    func flow() async throws {
        let mariadb = try MariaDBTestServer.start()
        defer { mariadb.stop() }
        try mariadb.execute("""
            CREATE DATABASE crm; USE crm;
            CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(40), balance DECIMAL(12,2), opened DATE);
            INSERT INTO accounts SELECT seq, CONCAT('account ', seq), seq * 10.5, DATE '2025-01-01' + INTERVAL seq DAY FROM seq_1_to_300;
            CREATE TABLE tickets (id INT PRIMARY KEY, status VARCHAR(10));
            INSERT INTO tickets VALUES (1, 'open'), (2, 'closed');
            """)
        let server = try await DemoServer.start(environment: ["CRM_MYSQL_PASSWORD": mariadb.password])
        defer { server.stop() }
        let client = server.client, admin = server.admin
        let created = try await client.call("POST", "/api/admin/sources", json: [
            "name": "crm", "type": "mysql", "secret_env": ["CRM_MYSQL_PASSWORD"],
            "config": ["host": "127.0.0.1", "port": mariadb.port, "database": "crm", "user": "agnes", "password_env": "CRM_MYSQL_PASSWORD"],
        ], token: admin)
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        for (name, extra) in [("accounts", ["source_table": "accounts"]), ("live_tickets", ["source_table": "tickets", "query_mode": "remote"])] {
            let registered = try await client.call("POST", "/api/admin/register-table", json: ["name": name, "source_name": "crm"].merging(extra) { $1 },
                                                   token: admin)
            #expect(registered.status == 201, "\(name): \(String(decoding: registered.body, as: UTF8.self))")
        }
        #expect(try await client.call("POST", "/api/sync/trigger", json: ["tables": ["accounts"]], token: admin).status == 200)
        for _ in 0..<600 {
            if try await client.call("GET", "/api/sync/status", token: admin).object["locked"] as? Bool == false { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let manifest = try await client.call("GET", "/api/sync/manifest", token: admin)
        let tables = try #require(manifest.object["tables"] as? [String: [String: Any]])
        #expect(tables["accounts"]?["rows"] as? Int == 300 && tables["live_tickets"]?["query_mode"] as? String == "remote", "\(tables.keys)")
        let download = try await client.call("GET", "/api/data/accounts/download", token: admin)
        #expect(download.status == 200 && download.body.count > 100)

        let sum = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n, sum(balance) AS total FROM accounts"], token: admin)
        #expect((sum.object["rows"] as? [[Any]])?.first?.first as? Int == 300, "\(String(decoding: sum.body, as: UTF8.self))")
        try mariadb.execute("INSERT INTO crm.tickets VALUES (3, 'open')")
        let live = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM live_tickets WHERE status = 'open'"], token: admin)
        #expect((live.object["rows"] as? [[Int]])?.first?.first == 2, "\(String(decoding: live.body, as: UTF8.self))")
        // The size of a live table, as MariaDB's information_schema tells it (one InnoDB page at least).
        let estimate = try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "live_tickets"], token: admin)
        #expect(estimate.object["estimated_scan_bytes"] as? Int ?? 0 >= 16_384, "\(String(decoding: estimate.body, as: UTF8.self))")
    }
}
