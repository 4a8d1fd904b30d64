// The semantic layer and the one knowledge search end to end, against the real server over the demo dataset: an
// administrator imports a glossary, stores a semantic model (byte for byte) and describes a column; an analyst finds
// the metric, the term, the model and the column through one search, and validates queries against the model; a user
// who may read none of the tables finds none of what they explain.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("semantic layer", .serialized)
struct SemanticLayerFlowTests {
    static let model = """
        # The sales subject: orders, their lines and customers.
        name: sales
        title: Sales
        description: Orders with their lines and customers; revenue and refunds.
        datasets:
          - name: orders
            table: orders
            primary_key: [order_id]
            time_column: ordered_at
            require_time_filter: true
          - name: order_items
            table: order_items
            primary_key: [order_item_id]
          - name: customers
            table: customers
            primary_key: [customer_id]
        relationships:
          - name: order_lines
            from: order_items
            to: orders
            on: [{from: order_id, to: order_id}]
            cardinality: many_to_one
          - name: order_customer
            from: orders
            to: customers
            on:
              - {from: customer_id, to: customer_id}
            cardinality: many_to_one
        metrics:   [revenue/gross_revenue, revenue/refund_rate]

        """

    func hits(_ exchange: Exchange) -> [(type: String, id: String)] {
        (exchange.object["results"] as? [[String: Any]] ?? []).map { ($0["type"] as? String ?? "", $0["id"] as? String ?? "") }
    }

    func validate(_ sql: String, _ token: String, _ server: DemoServer) async throws -> [String: Any] {
        let answer = try await server.client.call("POST", "/api/semantic-models/validate-query", json: ["sql": sql], token: token)
        #expect(answer.status == 200, "\(answer.status) \(answer.detail ?? "")")
        return answer.object
    }

    func rules(_ verdict: [String: Any]) -> [String] {
        (verdict["violations"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }.sorted()
    }

    @Test("glossary, model and column described by an admin; found, read and used to validate queries by those who may read the tables")
    func semanticLayer() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client, admin = server.admin, analyst = server.analyst

        // The glossary: imported from YAML, listed, searched.
        let glossary = """
            terms:
              - term: Gross revenue
                definition: Money from paid and shipped orders before refunds.
                synonyms: [turnover]
                see_also: [revenue/gross_revenue]
              - term: Churned customer
                definition: A customer with no order in the last 180 days.
            """
        let imported = try await client.call("POST", "/api/admin/glossary/import", json: ["content": glossary, "source_ref": "glossary.yml"], token: admin)
        #expect(imported.status == 200 && imported.object["terms"] as? [String] == ["gross-revenue", "churned-customer"], "\(imported.detail ?? "")")
        #expect(try await client.call("POST", "/api/admin/glossary/import", json: ["content": "- term: x"], token: admin).status == 400)
        #expect(try await client.call("POST", "/api/admin/glossary", json: ["term": "Mine", "definition": "x"], token: analyst).status == 403)
        let terms = try await client.call("GET", "/api/glossary", token: analyst)
        #expect(terms.object["count"] as? Int == 2)
        let search = try await client.call("GET", "/api/glossary/search?q=turnover", token: analyst)
        #expect((search.object["terms"] as? [[String: Any]])?.first?["id"] as? String == "gross-revenue")
        #expect(try await client.call("GET", "/api/glossary/churned-customer", token: analyst).string("term") == "Churned customer")

        // The model: refused when wrong, stored byte for byte when right.
        for (document, fragment) in [("name: sales\ndatasets: []", "at least one dataset"),
                                     (Self.model.replacingOccurrences(of: "table: customers", with: "table: clients"), "not registered"),
                                     (Self.model.replacingOccurrences(of: "to: customers", with: "to: buyers"), "not a dataset"),
                                     ("name: [", "not valid YAML")] {
            let refused = try await client.call("POST", "/api/admin/semantic-models", json: ["document": document], token: admin)
            #expect(refused.status == 422 && String(decoding: refused.body, as: UTF8.self).contains(fragment), "\(refused.status) \(fragment) \(String(decoding: refused.body, as: UTF8.self))")
        }
        #expect(try await client.call("POST", "/api/admin/semantic-models", json: ["document": Self.model], token: analyst).status == 403)
        let created = try await client.call("POST", "/api/admin/semantic-models", json: ["document": Self.model], token: admin)
        #expect(created.status == 201 && created.object["tables"] as? [String] == ["customers", "order_items", "orders"], "\(created.detail ?? "")")
        #expect(try await client.call("POST", "/api/admin/semantic-models", json: ["document": Self.model], token: admin).status == 409)
        let yaml = try await client.call("GET", "/api/semantic-models/sales.yaml", token: analyst)
        #expect(yaml.status == 200 && yaml.body == Data(Self.model.utf8))

        // A column described by an administrator.
        let described = try await client.call("PUT", "/api/admin/registry/orders/columns/status",
                                              json: ["description": "Order lifecycle: paid, shipped or refunded"], token: admin)
        #expect(described.status == 200 && described.string("description") == "Order lifecycle: paid, shipped or refunded")
        #expect(try await client.call("PUT", "/api/admin/registry/orders/columns/status", json: ["description": "x"], token: analyst).status == 403)
        #expect(try await client.call("PUT", "/api/admin/registry/nope/columns/x", json: ["description": "x"], token: admin).status == 404)

        // One search: the metric by its synonym, the memory item, the term, the model, the column, the table.
        let turnover = hits(try await client.call("GET", "/api/knowledge/search?q=turnover", token: analyst))
        #expect(turnover.contains { $0 == ("metric", "revenue/gross_revenue") } && turnover.contains { $0 == ("glossary", "gross-revenue") })
        let refunds = hits(try await client.call("GET", "/api/knowledge/search?q=refunded%20orders&limit=20", token: analyst))
        #expect(refunds.contains { $0.type == "memory" } && refunds.contains { $0 == ("metric", "revenue/refund_rate") })
        #expect(hits(try await client.call("GET", "/api/knowledge/search?q=lifecycle", token: analyst)).contains { $0 == ("column", "orders.status") })
        #expect(hits(try await client.call("GET", "/api/knowledge/search?q=refunds&types=semantic_model", token: analyst)).map(\.id) == ["sales"])
        #expect(try await client.call("GET", "/api/knowledge/search?q=x&types=nope", token: analyst).status == 400)
        #expect(try await client.call("GET", "/api/knowledge/search", token: analyst).status == 422)
        // web_sessions is outside the analyst's folder: the admin finds it, the analyst does not.
        #expect(hits(try await client.call("GET", "/api/knowledge/search?q=sessions", token: admin)).contains { $0 == ("table", "web_sessions") })
        #expect(!hits(try await client.call("GET", "/api/knowledge/search?q=sessions", token: analyst)).contains { $0.id == "web_sessions" })

        // Validating queries against the model.
        let good = try await validate("""
            SELECT date_trunc('month', o.ordered_at) AS month, sum(i.quantity * i.unit_price) AS revenue
            FROM orders o JOIN order_items i ON i.order_id = o.order_id
            WHERE o.status IN ('paid', 'shipped') AND o.ordered_at >= DATE '2025-01-01' GROUP BY 1
            """, analyst, server)
        #expect(good["available"] as? Bool == true && good["model"] as? String == "sales" && good["valid"] as? Bool == true, "\(good)")
        #expect(good["used_metrics"] as? [String] == ["revenue/gross_revenue"] && good["matched_relationships"] as? [String] == ["order_lines"])
        #expect(Set(good["used_datasets"] as? [String] ?? []) == ["orders", "order_items"])
        let using = try await validate("""
            SELECT sum(order_items.quantity * order_items.unit_price) FROM orders JOIN order_items USING (order_id)
            WHERE orders.status IN ('paid', 'shipped') AND orders.ordered_at > now() - INTERVAL 30 DAY
            """, analyst, server)
        #expect(using["valid"] as? Bool == true, "\(using)")
        #expect(rules(try await validate("SELECT count(*) FROM order_items i JOIN customers c ON i.order_id = c.customer_id", analyst, server))
                == ["undeclared_join"])
        #expect(rules(try await validate("""
            SELECT count(*) FROM orders o JOIN customers c ON o.order_id = c.customer_id WHERE o.ordered_at > DATE '2025-06-01'
            """, analyst, server)) == ["join_on_other_columns"])
        #expect(rules(try await validate("""
            SELECT avg(i.quantity * i.unit_price) FROM orders o JOIN order_items i ON i.order_id = o.order_id
            WHERE o.status = 'paid' AND o.ordered_at > DATE '2025-06-01'
            """, analyst, server)) == ["metric_aggregation_mismatch"])
        let loose = try await validate("SELECT sum(i.quantity * i.unit_price) FROM orders o JOIN order_items i ON i.order_id = o.order_id",
                                       analyst, server)
        #expect(rules(loose) == ["metric_filter_missing", "missing_time_filter"] && loose["valid"] as? Bool == false)
        #expect((loose["summary"] as? String)?.contains("Breaks 2 rule(s) of sales") == true)
        let products = try await validate("SELECT category, count(*) FROM products GROUP BY 1", analyst, server)
        #expect(products["available"] as? Bool == false && products["error"] as? String == "no_semantic_model")
        #expect(try await client.call("POST", "/api/semantic-models/validate-query", json: ["sql": "SELEC 1"], token: analyst).status == 400)

        // The same from the CLI.
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cli = CLIFlowTests()
        func environment(_ token: String) -> [String: String] {
            ["AGNES_CONFIG_DIR": root.appendingPathComponent("config-\(token.prefix(8))").path, "AGNES_SERVER": client.base.absoluteString,
             "AGNES_TOKEN": token, "AGNES_LOCAL_DIR": root.path]
        }
        let searched = try await cli.agnes(["search", "turnover", "--type", "metric"], environment: environment(analyst))
        #expect(searched.status == 0 && searched.out.contains("revenue/gross_revenue") && !searched.out.contains("gross-revenue"), "\(searched.err)")
        let broken = try await cli.agnes(["validate-query", "SELECT avg(quantity * unit_price) FROM order_items"], environment: environment(analyst))
        #expect(broken.status == 1 && broken.out.contains("metric_aggregation_mismatch"), "\(broken.out) \(broken.err)")
        let followed = try await cli.agnes(["validate-query", "SELECT count(*) FROM customers"], environment: environment(analyst))
        #expect(followed.status == 0 && followed.out.hasPrefix("Follows sales"), "\(followed.out) \(followed.err)")
        let describedByCLI = try await cli.agnes(["admin", "describe-column", "customers", "country", "ISO 3166 alpha-2 code"], environment: environment(admin))
        #expect(describedByCLI.status == 0, "\(describedByCLI.err)")
        #expect(hits(try await client.call("GET", "/api/knowledge/search?q=alpha-2", token: analyst)).contains { $0 == ("column", "customers.country") })
        let document = try await cli.agnes(["admin", "semantic-model", "get", "sales"], environment: environment(admin))
        #expect(document.out == Self.model)

        // Someone who may read none of the tables: no model, no metric, no column, no validation — the glossary only.
        _ = try await client.call("POST", "/api/users", json: ["email": "outsider@example.com"], token: admin)
        let users = try JSONSerialization.jsonObject(with: try await client.call("GET", "/api/users", token: admin).body) as? [[String: Any]] ?? []
        let outsiderId = try #require(users.first { $0["email"] as? String == "outsider@example.com" }?["id"] as? String)
        _ = try await client.call("POST", "/api/users/\(outsiderId)/set-password", json: ["password": "outsider password 1"], token: admin)
        let outsider = try #require(try await client.call("POST", "/auth/token", json: ["email": "outsider@example.com", "password": "outsider password 1"])
            .string("access_token"))
        #expect((try await client.call("GET", "/api/semantic-models", token: outsider).object["models"] as? [Any])?.isEmpty == true)
        #expect(try await client.call("GET", "/api/semantic-models/sales.yaml", token: outsider).status == 404)
        let blind = hits(try await client.call("GET", "/api/knowledge/search?q=turnover%20lifecycle%20refunds&limit=50", token: outsider))
        #expect(!blind.contains { ["metric", "column", "semantic_model", "table"].contains($0.type) } && blind.contains { $0.type == "glossary" })
        let noModel = try await validate("SELECT count(*) FROM orders", outsider, server)
        #expect(noModel["available"] as? Bool == false)
    }
}
