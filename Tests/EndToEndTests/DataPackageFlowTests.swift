// Data packages end to end, against the real server binary over the demo dataset: an administrator builds a "Sales"
// package (3 tables, a memory domain, 2 metrics) and a "Catalog" package sharing `orders`, grants both to a group as
// available; an analyst who has no other grant sees nothing before, browses, subscribes, pulls (one shared file, two
// links), leaves a package, and meets upstream's refusals. An upstream client that reads only the typed sections
// still downloads every table its user may see.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("data packages", .serialized)
struct DataPackageFlowTests {
    static let email = "packages@example.com", password = "package analyst 1"

    func list(_ exchange: Exchange, _ key: String) -> [[String: Any]] { exchange.object[key] as? [[String: Any]] ?? [] }

    /// A new group holding `email` (created when needed), and a token of that user.
    func member(of groupName: String, _ email: String, _ server: DemoServer) async throws -> (group: String, token: String) {
        let client = server.client
        let group = try #require(try await client.call("POST", "/api/admin/groups", json: ["name": groupName], token: server.admin).string("id"))
        let existing = try await client.call("GET", "/api/users", token: server.admin)
        let users = (try JSONSerialization.jsonObject(with: existing.body) as? [[String: Any]]) ?? list(existing, "users")
        if !users.contains(where: { $0["email"] as? String == email }) {
            let user = try #require(try await client.call("POST", "/api/users", json: ["email": email], token: server.admin).string("id"))
            _ = try await client.call("POST", "/api/users/\(user)/set-password", json: ["password": Self.password], token: server.admin)
        }
        #expect(try await client.call("POST", "/api/admin/groups/\(group)/members", json: ["email": email], token: server.admin).status == 201)
        let token = try #require(try await client.call("POST", "/auth/token", json: ["email": email, "password": Self.password]).string("access_token"))
        return (group, token)
    }

    /// The tables an upstream client downloads: names in the typed sections whose flat entry is not server-only.
    func upstreamDownloads(_ manifest: Exchange) -> Set<String> {
        let flat = manifest.object["tables"] as? [String: [String: Any]] ?? [:]
        let typed = list(manifest, "data_packages").flatMap { ($0["tables"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
            + list(manifest, "direct_tables").compactMap { $0["id"] as? String }
        return Set(typed.filter { flat[$0]?["server_only"] as? Bool == false && flat[$0]?["query_mode"] as? String != "remote" })
    }

    @Test("an admin builds packages, an analyst browses, subscribes, pulls shared files once, and leaves; grants fail closed")
    func packages() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let admin = server.admin

        // Building: a memory domain with two of the demo's items, two packages sharing `orders`.
        let items = list(try await client.call("GET", "/api/memory?per_page=50", token: admin), "items")
        let itemIds = items.filter { ["mandatory", "approved"].contains($0["status"] as? String) }.compactMap { $0["id"] as? String }
        #expect(itemIds.count == 2)
        let domainAnswer = try await client.call("POST", "/api/admin/memory-domains", json: ["name": "Sales notes"], token: admin)
        #expect(domainAnswer.status == 201 && domainAnswer.string("slug") == "sales-notes", "\(domainAnswer.status) \(domainAnswer.detail ?? "")")
        let domainId = try #require(domainAnswer.string("id"))
        for item in itemIds {
            #expect(try await client.call("POST", "/api/admin/memory-domains/\(domainId)/items", json: ["item_id": item], token: admin).object["added"] as? Bool == true)
        }
        let sales = try await client.call("POST", "/api/admin/data-packages",
                                          json: ["name": "Sales", "description": "Orders, their lines and customers", "icon": "🛒", "tags": ["revenue"]], token: admin)
        #expect(sales.status == 201 && sales.string("slug") == "sales" && sales.string("status") == "prod")
        let salesId = try #require(sales.string("id"))
        let metricIds = list(try await client.call("GET", "/api/metrics", token: admin), "metrics").compactMap { $0["id"] as? String }
            .filter { $0.hasPrefix("revenue/") }.sorted().prefix(2)
        #expect(metricIds.count == 2)
        for (segment, field, value) in [("tables", "table_id", "orders"), ("tables", "table_id", "customers"), ("tables", "table_id", "order_items"),
                                        ("metrics", "metric_id", metricIds.first!), ("metrics", "metric_id", metricIds.last!),
                                        ("memory-domains", "domain_id", domainId)] {
            let added = try await client.call("POST", "/api/admin/data-packages/\(salesId)/\(segment)", json: [field: value], token: admin)
            #expect(added.status == 200 && added.object["added"] as? Bool == true, "\(segment) \(value): \(added.status) \(added.detail ?? "")")
        }
        #expect(try await client.call("POST", "/api/admin/data-packages/\(salesId)/tables", json: ["table_id": "orders"], token: admin).object["added"] as? Bool == false)
        let catalogId = try #require(try await client.call("POST", "/api/admin/data-packages", json: ["name": "Catalog", "status": "poc"], token: admin).string("id"))
        for table in ["products", "orders"] {
            #expect(try await client.call("POST", "/api/admin/data-packages/\(catalogId)/tables", json: ["table_id": table], token: admin).status == 200)
        }
        let full = try await client.call("GET", "/api/admin/data-packages/\(salesId)", token: admin)
        #expect(full.object["tables"] as? [String] == ["customers", "order_items", "orders"] && (full.object["metrics"] as? [String])?.count == 2)

        // Refusals, with upstream's statuses.
        #expect(try await client.call("POST", "/api/admin/data-packages", json: ["name": "  "], token: admin).status == 400)
        #expect(try await client.call("POST", "/api/admin/data-packages", json: ["name": "Sales"], token: admin).status == 409)
        #expect(try await client.call("POST", "/api/admin/data-packages", json: ["name": "X", "status": "live"], token: admin).status == 422)
        #expect(try await client.call("POST", "/api/admin/data-packages/\(salesId)/tables", json: ["table_id": "nope"], token: admin).status == 404)
        #expect(try await client.call("GET", "/api/admin/data-packages", token: server.analyst).status == 403)
        #expect(try await client.call("POST", "/api/admin/data-packages", json: ["name": "Mine"], token: server.analyst).status == 403)
        #expect(try await client.call("POST", "/api/admin/grants", json: ["group_id": "x", "resource_type": "data_package", "resource_id": salesId,
                                                                         "requirement": "always"], token: admin).status == 422)

        // Before any grant the new analyst sees nothing of the packages or their tables.
        let (team, analyst) = try await member(of: "Sales team", Self.email, server)
        let before = try await client.call("GET", "/api/sync/manifest", token: analyst)
        #expect((before.object["tables"] as? [String: Any])?.isEmpty == true && list(before, "data_packages").isEmpty && list(before, "memory_domains").isEmpty)
        #expect(list(try await client.call("GET", "/api/stack/browse", token: analyst), "items").isEmpty)
        let noGrant = try await client.call("POST", "/api/stack/subscribe", json: ["resource_type": "data_package", "resource_id": salesId], token: analyst)
        #expect(noGrant.status == 403 && noGrant.detail == "no_grant")
        let unknown = try await client.call("POST", "/api/stack/subscribe", json: ["resource_type": "data_package", "resource_id": "nope"], token: analyst)
        #expect(unknown.status == 403 && unknown.detail == "no_grant")
        #expect(try await client.call("GET", "/api/memory/bundle?domain=sales-notes", token: analyst).status == 404)
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM orders"], token: analyst).status != 200)
        #expect(list(try await client.call("GET", "/api/catalog/tables", token: analyst), "tables").isEmpty)

        // Granted as available (auto mode): in the stack and queryable, but not downloaded until subscribed.
        for package in [salesId, catalogId] {
            let grant = try await client.call("POST", "/api/admin/grants", json: ["group_id": team, "resource_type": "data_package", "resource_id": package],
                                              token: admin)
            #expect(grant.status == 201 && grant.string("requirement") == "available")
        }
        let browse = try await client.call("GET", "/api/stack/browse", token: analyst)
        #expect(browse.string("mode") == "auto")
        let browsed = list(browse, "items")
        #expect(Set(browsed.compactMap { $0["slug"] as? String }) == ["sales", "catalog", "sales-notes"])
        #expect(browsed.allSatisfy { $0["in_stack"] as? Bool == true && $0["materialized"] as? Bool == false && $0["requirement"] as? String == "available" })
        let available = try await client.call("GET", "/api/sync/manifest", token: analyst)
        let flat = available.object["tables"] as? [String: [String: Any]] ?? [:]
        #expect(Set(flat.keys) == ["orders", "customers", "order_items", "products"])
        #expect(flat.values.allSatisfy { $0["server_only"] as? Bool == true })
        #expect(upstreamDownloads(available).isEmpty)
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM orders"], token: analyst).status == 200)
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM web_sessions"], token: analyst).status != 200)
        let salesEntry = try #require(list(available, "data_packages").first { $0["slug"] as? String == "sales" })
        #expect((salesEntry["tables"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["customers", "order_items", "orders"])
        #expect(salesEntry["metrics"] as? [String] == Array(metricIds) && salesEntry["memory_domains"] as? [String] == ["sales-notes"])
        #expect(list(available, "direct_tables").isEmpty && (available.object["knowledge_artifacts"] as? [Any])?.isEmpty == true)
        let domainEntry = try #require(list(available, "memory_domains").first)
        #expect(domainEntry["items_count"] as? Int == 2 && domainEntry["required_count"] as? Int == 1
                && domainEntry["bundle_url"] as? String == "/api/memory/bundle?domain=sales-notes")

        // Subscribing: the CLI names packages by slug; pull downloads `orders` once, linked from both package folders.
        let cli = CLIFlowTests()
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = root.appendingPathComponent("workspace")
        let environment = ["AGNES_CONFIG_DIR": root.appendingPathComponent("config").path, "AGNES_TOKEN": "", "AGNES_LOCAL_DIR": workspace.path]
        #expect(try await cli.agnes(["init", "--server-url", client.base.absoluteString, "--token", analyst, "--quiet"], environment: environment).status == 0)
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("server/parquet/orders.parquet").path))
        for slug in ["sales", "catalog"] {
            let subscribed = try await cli.agnes(["stack", "subscribe", slug], environment: environment)
            #expect(subscribed.status == 0 && subscribed.out.contains("Subscribed"), "\(subscribed.err)")
        }
        // The API takes a slug as well as an id.
        let bySlug = try await client.call("POST", "/api/stack/subscribe", json: ["resource_type": "memory_domain", "resource_id": "sales-notes"], token: analyst)
        #expect(bySlug.status == 200 && bySlug.object["subscribed"] as? Bool == true, "\(bySlug.detail ?? "")")
        let listed = try await cli.agnes(["stack", "list"], environment: environment)
        #expect(listed.out.contains("sales") && listed.out.contains("catalog"))
        let pulled = try await cli.agnes(["pull", "--json"], environment: environment)
        #expect(pulled.status == 0, "\(pulled.err)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(pulled.out.utf8)) as? [String: Any])
        let sections = summary["sections"] as? [String: [String: [String]]]
        #expect(sections?["data_packages"]?["added"] == ["catalog", "sales"])
        #expect(sections?["memory_domains"]?["added"] == ["sales-notes"])
        let parquet = workspace.appendingPathComponent("server/parquet")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: parquet.path).filter { $0.hasSuffix(".parquet") })
                == ["orders.parquet", "customers.parquet", "order_items.parquet", "products.parquet"])
        for package in ["sales", "catalog"] {
            let link = workspace.appendingPathComponent("server/packages/\(package)/orders.parquet")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "../../parquet/orders.parquet")
            #expect(try Data(contentsOf: link) == Data(contentsOf: parquet.appendingPathComponent("orders.parquet")))
        }
        let bundle = try String(contentsOf: workspace.appendingPathComponent(".claude/memory/sales-notes/bundle.md"), encoding: .utf8)
        #expect(bundle.contains("# Sales notes") && bundle.contains("Revenue excludes refunded orders") && bundle.contains("web_sessions is split by month"))
        // The CLI told the server what the pull did (upstream's pull-confirm), per section.
        var confirmed: [[String: Any]] = []
        for _ in 0..<50 where confirmed.isEmpty {
            confirmed = list(try await client.call("GET", "/api/admin/audit?action=sync.pull_completed", token: admin), "rows")
            if confirmed.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(confirmed.contains { ($0["params"] as? String ?? String(describing: $0["params"] ?? "")).contains("data_packages_added") })
        let local = try await cli.agnes(["query", "--local", "--format", "csv", "SELECT count(*) AS n FROM products"], environment: environment)
        #expect(local.status == 0 && local.out.hasPrefix("n\r\n"), "\(local.err)")
        #expect(upstreamDownloads(try await client.call("GET", "/api/sync/manifest", token: analyst)) == ["orders", "customers", "order_items", "products"])

        // Through the package, the analyst finds its metric in the one knowledge search and validates a query against
        // the model of its tables.
        let found = try await client.call("GET", "/api/knowledge/search?q=turnover&types=metric", token: analyst)
        #expect((found.object["results"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.contains("revenue/gross_revenue") == true,
                "\(String(decoding: found.body, as: UTF8.self))")
        #expect(try await client.call("POST", "/api/admin/semantic-models", json: ["document": SemanticLayerFlowTests.model], token: admin).status == 201)
        let verdict = try await client.call("POST", "/api/semantic-models/validate-query", json: ["sql": """
            SELECT sum(i.quantity * i.unit_price) FROM orders o JOIN order_items i ON i.order_id = o.order_id
            WHERE o.status IN ('paid', 'shipped') AND o.ordered_at >= DATE '2025-03-01'
            """], token: analyst)
        #expect(verdict.object["available"] as? Bool == true && verdict.object["valid"] as? Bool == true
                && verdict.object["used_metrics"] as? [String] == ["revenue/gross_revenue"], "\(String(decoding: verdict.body, as: UTF8.self))")

        // Required for another group of theirs: always in the stack, cannot be subscribed to or left.
        let (leads, _) = try await member(of: "Sales leads", Self.email, server)
        let required = try await client.call("POST", "/api/admin/grants", json: ["group_id": leads, "resource_type": "data_package", "resource_id": salesId,
                                                                                 "requirement": "required"], token: admin)
        #expect(required.status == 201 && required.string("requirement") == "required")
        let again = try await client.call("POST", "/api/stack/subscribe", json: ["resource_type": "data_package", "resource_id": salesId], token: analyst)
        #expect(again.status == 400 && again.detail == "already_required")
        let leave = try await client.call("DELETE", "/api/stack/subscription/data_package/\(salesId)", token: analyst)
        #expect(leave.status == 400 && leave.detail == "cannot_remove_required")
        let refused = try await cli.agnes(["stack", "unsubscribe", "sales"], environment: environment)
        #expect(refused.status != 0 && refused.err.contains("required"))

        // Leaving Catalog: `products` (in no other package) goes at the next pull; `orders` stays for Sales.
        let left = try await cli.agnes(["stack", "unsubscribe", "catalog"], environment: environment)
        #expect(left.status == 0, "\(left.err)")
        let afterLeaving = try await cli.agnes(["pull", "--json"], environment: environment)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(afterLeaving.out.utf8)) as? [String: Any])
        #expect((second["sections"] as? [String: [String: [String]]])?["data_packages"]?["removed"] == ["catalog"])
        #expect(second["tables_removed"] as? [String] == ["products"])
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("server/packages/catalog").path))
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("server/packages/sales/orders.parquet").path))
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM products"], token: analyst).status == 200)

        // A deleted package gives nothing until restored; its grants come back with it.
        let adminCLI = ["AGNES_CONFIG_DIR": root.appendingPathComponent("admin-config").path, "AGNES_SERVER": client.base.absoluteString,
                        "AGNES_TOKEN": admin, "AGNES_LOCAL_DIR": root.appendingPathComponent("admin-ws").path]
        let deleted = try await cli.agnes(["admin", "package", "delete", "catalog"], environment: adminCLI)
        #expect(deleted.status == 0 && deleted.out.contains("agnes admin package restore catalog"), "\(deleted.out)\(deleted.err)")
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM products"], token: analyst).status != 200)
        #expect(!list(try await client.call("GET", "/api/admin/data-packages?include_deleted=true", token: admin), "packages").isEmpty)
        #expect(list(try await client.call("GET", "/api/admin/data-packages", token: admin), "packages").count == 1)
        #expect(try await client.call("POST", "/api/admin/data-packages/\(catalogId)/restore", token: admin).status == 200)
        #expect(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM products"], token: analyst).status == 200)

        // The demo analyst reads the sales folder directly: every table in `direct_tables`, and an upstream client
        // reading the typed sections downloads all of them.
        let direct = try await client.call("GET", "/api/sync/manifest", token: server.analyst)
        let directIds = Set(list(direct, "direct_tables").compactMap { $0["id"] as? String })
        #expect(directIds == ["orders", "customers", "order_items", "products"])
        #expect(upstreamDownloads(direct) == directIds)
        #expect(try await client.call("GET", "/api/memory/bundle?domain=sales-notes", token: server.analyst).status == 404)
    }
}
