// `POST /api/admin/register-table/precheck` and `agnes admin register-table --dry-run`: a registration checked and its
// source read as a sync would, nothing stored.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("register-table precheck")
struct RegisterPrecheckTests {
    @Test("checks like a registration, reads the source's columns, warns when it cannot, stores nothing")
    func precheck() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let good = try await client.call("POST", "/api/admin/register-table/precheck",
                                         json: ["name": "orders_copy", "source_name": "demo", "source_table": "orders.parquet"], token: server.admin)
        #expect(good.status == 200 && good.object["ok"] as? Bool == true, "\(good.status) \(good.detail ?? "")")
        #expect((good.object["table"] as? [String: Any])?["id"] as? String == "orders_copy")
        let columns = (good.object["columns"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(columns == ["order_id", "customer_id", "ordered_at", "status"])
        #expect((good.object["warnings"] as? [String])?.isEmpty == true)
        let registry = try await client.call("GET", "/api/admin/registry", token: server.admin)
        #expect(!String(decoding: registry.body, as: UTF8.self).contains("orders_copy"))

        let missing = try await client.call("POST", "/api/admin/register-table/precheck",
                                            json: ["name": "ghost", "source_name": "demo", "source_table": "nope.parquet"], token: server.admin)
        #expect(missing.status == 200 && missing.object["columns"] is NSNull)
        #expect((missing.object["warnings"] as? [String])?.first?.hasPrefix("the source could not be read as a sync would read it") == true)
        #expect(try await client.call("POST", "/api/admin/register-table/precheck", json: ["name": "orders", "source_name": "demo"],
                                      token: server.admin).status == 409)
        #expect(try await client.call("POST", "/api/admin/register-table/precheck",
                                      json: ["name": "x1", "source_name": "demo", "sync_schedule": "whenever"], token: server.admin).status == 422)
        #expect(try await client.call("POST", "/api/admin/register-table/precheck", json: ["name": "x2"], token: server.analyst).status == 403)

        let cli = CLIFlowTests()
        let admin = ["AGNES_CONFIG_DIR": server.dataDirectory.appendingPathComponent("admin-config").path, "AGNES_SERVER": client.base.absoluteString,
                     "AGNES_TOKEN": server.admin]
        let dry = try await cli.agnes(["admin", "register-table", "orders_copy", "--source", "demo", "--source-table", "orders.parquet", "--dry-run"],
                                environment: admin)
        #expect(dry.status == 0 && dry.out.contains("orders_copy: the registration passes; nothing was stored.")
                    && dry.out.contains("columns: order_id BIGINT"), "\(dry.out)\(dry.err)")
        #expect(!String(decoding: try await client.call("GET", "/api/admin/registry", token: server.admin).body, as: UTF8.self).contains("orders_copy"))
    }
}
