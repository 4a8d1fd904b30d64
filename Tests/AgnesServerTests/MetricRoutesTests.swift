// Metric definitions over HTTP: everyone signed in reads them, administrators write them; the starter pack in
// docs/metrics imports and exports byte for byte; bad YAML is refused naming the file; validation runs EXPLAIN of each
// metric's SQL on the query engine and names unknown tables and columns.
import AgnesDomain
@testable import AgnesServer
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("metric routes")
struct MetricRoutesTests {
    /// `docs/metrics` of this repository: `<path>` → file contents.
    static func starterPack() throws -> [String: String] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/metrics")
        var files: [String: String] = [:]
        for category in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let folder = directory.appendingPathComponent(category)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".yml") {
                files["\(category)/\(name)"] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            }
        }
        return files
    }

    @Test("read, write, delete; import and export round-trip the starter pack; validation against the engine")
    func metrics() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: "Analysts", client, admin: admin)
            #expect(try await client.send(.get, "/api/metrics").status == .unauthorized)
            #expect(try await client.send(.get, "/api/metrics/revenue/gross_revenue").status == .unauthorized)

            let pack = try Self.starterPack()
            #expect(pack.count == 6)
            let files = pack.sorted { $0.key < $1.key }.map { ["path": $0.key, "content": $0.value] }
            #expect(try await client.send(.post, "/api/admin/metrics/import", json: ["files": files], token: ana.token).status == .forbidden)
            let imported = try await client.send(.post, "/api/admin/metrics/import", json: ["files": files], token: admin)
            #expect(imported.status == .ok && imported.string("status") == "imported" && imported["count"] as? Int == 6, "\(imported.text)")

            // A metric shows only to those who may read every table it uses: Ana has no grants, the administrator all.
            #expect(try await client.send(.get, "/api/metrics", token: ana.token)["count"] as? Int == 0)
            #expect(try await client.send(.get, "/api/metrics/revenue/gross_revenue", token: ana.token).status == .forbidden)
            let list = try await client.send(.get, "/api/metrics", token: admin)
            #expect(list["count"] as? Int == 6)
            #expect(try await client.send(.get, "/api/metrics?category=revenue", token: admin)["count"] as? Int == 3)
            let gross = try await client.send(.get, "/api/metrics/revenue/gross_revenue", token: admin)
            #expect(gross.string("display_name") == "Gross revenue" && gross["tables"] as? [String] == ["orders", "order_items"])
            #expect(gross.string("sql")?.hasPrefix("SELECT date_trunc('month', o.ordered_at) AS month,\n") == true && gross.string("source") == "yaml_import")
            #expect(try await client.send(.get, "/api/metrics/revenue/nope", token: ana.token).detail == "Metric 'revenue/nope' not found")

            // Writes are for administrators.
            let body: [String: Any] = ["name": "orders_count", "category": "sales", "display_name": "Orders", "sql": "SELECT count(*) FROM orders",
                                       "table_name": "orders"]
            #expect(try await client.send(.post, "/api/admin/metrics", json: body, token: ana.token).status == .forbidden)
            let created = try await client.send(.post, "/api/admin/metrics", json: body, token: admin)
            #expect(created.status == .created && created.string("id") == "sales/orders_count" && created["tables"] as? [String] == ["orders"])
            var replaced = body
            replaced["display_name"] = "Number of orders"
            #expect(try await client.send(.put, "/api/admin/metrics/sales/orders_count", json: replaced, token: admin).string("display_name") == "Number of orders")
            #expect(try await client.send(.put, "/api/admin/metrics/sales/other", json: replaced, token: admin).status == .badRequest)
            #expect(try await client.send(.post, "/api/admin/metrics", json: ["name": "../x", "category": "a"], token: admin).status == .badRequest)
            #expect(try await client.send(.delete, "/api/admin/metrics/sales/orders_count", token: ana.token).status == .forbidden)
            let deleted = try await client.send(.delete, "/api/admin/metrics/sales/orders_count", token: admin)
            #expect(deleted.string("status") == "deleted" && deleted.string("id") == "sales/orders_count")
            #expect(try await client.send(.delete, "/api/admin/metrics/sales/orders_count", token: admin).status == .notFound)

            // Export gives back the very bytes that were imported.
            #expect(try await client.send(.get, "/api/admin/metrics/export", token: ana.token).status == .forbidden)
            let export = try await client.send(.get, "/api/admin/metrics/export", token: admin)
            let exported = Dictionary(uniqueKeysWithValues: (export["files"] as? [[String: Any]] ?? []).map { ($0["path"] as? String ?? "", $0["content"] as? String ?? "") })
            #expect(exported.keys.sorted() == pack.keys.sorted())
            for (path, content) in pack { #expect(exported[path] == content, "\(path) differs:\n\(exported[path] ?? "missing")") }

            // Broken files are refused before anything is saved.
            let broken = try await client.send(.post, "/api/admin/metrics/import", json: ["files": [
                ["path": "ops/fine.yml", "content": "name: fine\nsql: SELECT 1\n"], ["path": "ops/bad.yml", "content": "name: [unclosed"]]], token: admin)
            #expect(broken.status == .badRequest && broken.detail?.hasPrefix("ops/bad.yml: not valid YAML") == true, "\(broken.text)")
            let nameless = try await client.send(.post, "/api/admin/metrics/import", json: ["files": [["path": "x.yml", "content": "display_name: No name\n"]]], token: admin)
            #expect(nameless.detail == "x.yml: a metric lacks 'name'")
            #expect(try await client.send(.get, "/api/metrics/ops/fine", token: admin).status == .notFound)
            // Upstream's multipart import of one file (the category given in the file).
            let multipart = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"churn.yml\"\r\n\r\nname: churn\ncategory: revenue\nsql: SELECT 1\n\r\n--b--\r\n"
            let uploaded = try await client.send(.post, "/api/admin/metrics/import", raw: multipart, token: admin,
                                                 headers: [.contentType: "multipart/form-data; boundary=b"])
            #expect(uploaded["count"] as? Int == 1 && uploaded["ids"] as? [String] == ["revenue/churn"], "\(uploaded.text)")
            #expect(try await client.send(.delete, "/api/admin/metrics/revenue/churn", token: admin).status == .ok)

            // Validation on the engine: the demo tables make the starter pack valid; a broken metric is named.
            #expect(try await DemoDataset.seedIfEmpty(server.services.domain))
            _ = try await client.send(.post, "/api/admin/metrics", json: ["name": "broken", "category": "ops", "sql": "SELECT nope FROM orders"], token: admin)
            _ = try await client.send(.post, "/api/admin/metrics", json: ["name": "ghost", "category": "ops", "sql": "SELECT 1 FROM ghosts"], token: admin)
            #expect(try await client.send(.post, "/api/admin/metrics/validate", token: ana.token).status == .forbidden)
            let validation = try await client.send(.post, "/api/admin/metrics/validate", token: admin)
            let results = validation["results"] as? [[String: Any]] ?? []
            #expect(validation["ok"] as? Int == 6 && validation["failed"] as? Int == 2, "\(validation.text)")
            #expect((results.first { $0["id"] as? String == "ops/broken" }?["error"] as? String)?.contains("nope") == true)
            #expect(results.first { $0["id"] as? String == "ops/ghost" }?["error"] as? String == "unknown table 'ghosts'")
        }
    }
}
