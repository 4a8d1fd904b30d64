// The http_json connector through the real server against a local JSON API (Tests/Support/JSONAPITestServer.swift):
// a header from the environment, records at a path, each kind of paging (Link header, next URL in the body, offset,
// cursor), nested records read into typed (and struct) columns, an incremental sync that asks for changes since the
// last one and merges them by key, a next link to another host refused without a request to it, and a malformed answer
// or an unreachable API failing the sync with the reason while the last good data stays.
import AgnesTestSupport
import Foundation
import Testing

@Suite("http_json flow", .serialized)
struct HTTPJSONFlowTests {
    func rows(_ exchange: Exchange) -> [[Any]] { exchange.object["rows"] as? [[Any]] ?? [] }

    @Test("register, sync and query JSON API tables paged four ways; incremental by a parameter; other origins refused")
    func flow() async throws {
        try await JSONAPITestServer().run { api in
            let server = try await DemoServer.start(environment: ["CRM_API_AUTH": "Bearer \(JSONAPITestServer.token)"])
            defer { server.stop() }
            let client = server.client, admin = server.admin
            let created = try await client.call("POST", "/api/admin/sources", json: [
                "name": "crm_api", "type": "http_json", "secret_env": ["CRM_API_AUTH"],
                "config": ["base_url": api.base, "headers_env": ["Authorization": "CRM_API_AUTH"]],
            ], token: admin)
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let tables: [(String, String, [String: Any])] = [
                ("api_orders", "/v1/orders", ["pagination": ["type": "link_header"]]),
                ("api_customers", "/v1/customers", ["records": "data.items", "pagination": ["type": "next_field", "next_field": "links.next"]]),
                ("api_events", "/v1/events", ["records": "events", "pagination": ["type": "offset", "page_size": 10]]),
                ("api_tickets", "/v1/tickets", ["records": "results", "incremental_param": "updated_since",
                                                "pagination": ["type": "cursor", "cursor_field": "meta.next_cursor", "cursor_param": "cursor"]]),
                ("api_escape", "/v1/escape", ["records": "data", "pagination": ["type": "next_field", "next_field": "next"]]),
            ]
            for (name, path, options) in tables {
                var body: [String: Any] = ["name": name, "source_name": "crm_api", "source_table": path,
                                           "source_query": String(decoding: try JSONSerialization.data(withJSONObject: options), as: UTF8.self)]
                if name == "api_tickets" { body.merge(["sync_strategy": "incremental", "incremental_column": "updated", "primary_key": ["id"]]) { $1 } }
                let registered = try await client.call("POST", "/api/admin/register-table", json: body, token: admin)
                #expect(registered.status == 201, "\(name): \(String(decoding: registered.body, as: UTF8.self))")
            }
            let precheck = try await client.call("POST", "/api/admin/register-table/precheck", json: [
                "name": "api_orders_2", "source_name": "crm_api", "source_table": "/v1/orders", "source_query": #"{"pagination": {"type": "link_header"}}"#,
            ], token: admin)
            #expect((precheck.object["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["amount", "customer", "id", "tags"],
                    "\(String(decoding: precheck.body, as: UTF8.self))")
            try await server.sync(["api_orders", "api_customers", "api_events", "api_tickets", "api_escape"])

            let manifest = try #require(try await client.call("GET", "/api/sync/manifest", token: admin).object["tables"] as? [String: [String: Any]])
            #expect(manifest["api_orders"]?["rows"] as? Int == 12 && manifest["api_customers"]?["rows"] as? Int == 3)
            #expect(manifest["api_events"]?["rows"] as? Int == 23 && manifest["api_tickets"]?["rows"] as? Int == 7 && manifest["api_escape"] == nil)
            let orders = try await client.call("POST", "/api/query", json: ["sql": """
                SELECT count(*), sum(amount), count(*) FILTER (WHERE customer.name = 'customer 0'), typeof(any_value(id)) FROM api_orders
                """], token: admin)
            #expect(rows(orders).first.map { $0.map { "\($0)" } } == ["12", "195.0", "4", "BIGINT"], "\(String(decoding: orders.body, as: UTF8.self))")
            let escape = try await client.call("GET", "/api/sync/history?table=api_escape", token: admin)
            #expect(String(decoding: escape.body, as: UTF8.self).contains("another origin is not followed"))
            #expect(!api.requests.contains { $0.contains("meta-data") })

            // Incremental: one ticket changes and one is new; the sync asks for changes since the last sync only.
            api.setTicket(id: 3, status: "closed", updated: "2099-01-01T00:00:00Z")
            api.setTicket(id: 8, status: "open", updated: "2099-01-02T00:00:00Z")
            let before = api.requests.count
            try await server.sync(["api_tickets"])
            #expect(api.requests.dropFirst(before).allSatisfy { $0.contains("updated_since=") }, "\(api.requests.dropFirst(before))")
            let tickets = try await client.call("POST", "/api/query", json: ["sql": """
                SELECT count(*), count(*) FILTER (WHERE status = 'closed'), max(id) FROM api_tickets
                """], token: admin)
            #expect(rows(tickets).first.map { $0.map { "\($0)" } } == ["8", "1", "8"], "\(String(decoding: tickets.body, as: UTF8.self))")

            // Failures keep the last good data and say why: a malformed answer (no array where the records should be),
            // and an API that cannot be reached.
            let malformed = try await client.call("PUT", "/api/admin/registry/api_orders", json: ["source_query": #"{"records": "data.missing"}"#],
                                                  token: admin)
            #expect(malformed.status == 200, "\(String(decoding: malformed.body, as: UTF8.self))")
            try await server.sync(["api_orders"])
            let history = try await client.call("GET", "/api/sync/history?table=api_orders", token: admin)
            #expect(String(decoding: history.body, as: UTF8.self).contains("has no array at 'data.missing'"))
            let kept = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM api_orders"], token: admin)
            #expect(rows(kept).first?.first as? Int == 12)
            let closed = try freePort()
            #expect(try await client.call("POST", "/api/admin/sources", json: [
                "name": "gone_api", "type": "http_json", "config": ["base_url": "http://127.0.0.1:\(closed)"],
            ], token: admin).status == 201)
            #expect(try await client.call("POST", "/api/admin/register-table", json: ["name": "gone_orders", "source_name": "gone_api",
                                                                                   "source_table": "/v1/orders"], token: admin).status == 201)
            try await server.sync(["gone_orders"])
            let unreachable = try await client.call("GET", "/api/sync/history?table=gone_orders", token: admin)
            #expect(String(decoding: unreachable.body, as: UTF8.self).contains("cannot be reached"))
        }
    }
}
