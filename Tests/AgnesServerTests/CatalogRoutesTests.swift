// The catalog over HTTP: tables and v2 catalog filtered by grants, schema, sample, scan estimates and parquet scans —
// as an admin and as an analyst who gets 403 (not an empty answer) for tables they were not granted.
import AgnesCore
@testable import AgnesServer
import AgnesData
import AgnesState
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("catalog routes")
struct CatalogRoutesTests {
    @Test("catalog, v2 catalog, schema, sample, estimate and scan; 403 for tables not granted")
    func catalog() async throws {
        try await TestServer.run { server, client in
            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            let rows = (1...3000).map { "\($0),2026-01-\(String(format: "%02d", $0 % 28 + 1)),\($0 % 2 == 0 ? "web" : "shop"),\(Double($0) / 4)" }
            try ("id,day,channel,amount\n" + rows.joined(separator: "\n") + "\n").write(to: files.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
            try "id,secret\n1,x\n".write(to: files.appendingPathComponent("payroll.csv"), atomically: true, encoding: .utf8)
            let admin = try await client.adminToken()
            _ = try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": files.path]], token: admin)
            _ = try await client.send(.post, "/api/admin/register-table", json: ["name": "orders", "source_name": "shop", "source_table": "orders.csv",
                                                                                  "source_type": "files", "description": "All orders"], token: admin)
            _ = try await client.send(.post, "/api/admin/register-table", json: ["name": "payroll", "source_name": "shop", "source_table": "payroll.csv"], token: admin)
            try await server.services.dataPlane.syncNow(nil, trigger: "test")

            let list = try await client.send(.get, "/api/catalog/tables", token: admin)
            #expect(list["count"] as? Int == 2 && (list["tables"] as? [[String: Any]])?.first?["description"] as? String == "All orders")
            let v2 = try await client.send(.get, "/api/v2/catalog", token: admin)
            let orders = try #require((v2["tables"] as? [[String: Any]])?.first { $0["id"] as? String == "orders" })
            #expect(orders["rows"] as? Int == 3000 && orders["rough_size_hint"] as? String == "small" && orders["metadata_freshness"] as? String == "fresh")
            #expect(orders["sql_flavor"] as? String == "duckdb" && (orders["size_bytes"] as? Int ?? 0) > 0 && v2.string("server_time") != nil)

            let schema = try await client.send(.get, "/api/v2/schema/orders", token: admin)
            let columns = try #require(schema["columns"] as? [[String: Any]])
            #expect(columns.compactMap { $0["name"] as? String } == ["id", "day", "channel", "amount"] && columns[1]["type"] as? String == "DATE")
            let sample = try await client.send(.get, "/api/v2/sample/orders?n=3", token: admin)
            #expect((sample["rows"] as? [[String: Any]])?.count == 3 && (sample["rows"] as? [[String: Any]])?.first?["channel"] != nil)
            #expect(try await client.send(.get, "/api/v2/sample/orders?n=101", token: admin).status == .unprocessableContent)
            #expect(try await client.send(.get, "/api/v2/schema/ghost", token: admin).detail == "table 'ghost' not found")

            let estimate = try await client.send(.post, "/api/v2/scan/estimate", json: ["table_id": "orders", "select": ["id"], "where": "amount > 100"], token: admin)
            #expect(estimate.status == .ok && estimate["estimated_result_rows"] as? Int == 3000 && (estimate["estimated_scan_bytes"] as? Int ?? 0) > 0)
            let rejected = try await client.send(.post, "/api/v2/scan", json: ["table_id": "orders", "where": "id IN (SELECT id FROM payroll)"], token: admin)
            #expect(rejected.status == .badRequest)
            let detail = try #require(rejected["detail"] as? [String: Any])
            #expect(detail["error"] as? String == "validator_rejected" && detail["kind"] as? String == "nested_select")
            let unknown = try await client.send(.post, "/api/v2/scan", json: ["table_id": "orders", "select": ["ghost"]], token: admin)
            #expect(unknown.detail == "unknown columns: ['ghost']")

            let slice = #"{"table_id":"orders","select":["id","amount"],"where":"channel = 'web' AND id <= 100","order_by":["id DESC"],"limit":5}"#
            let (status, headers, body) = try await client.execute(
                uri: "/api/v2/scan", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json",
                                                              .accept: "application/vnd.apache.parquet"],
                body: ByteBuffer(string: slice)
            ) { response in (response.status, response.headers, Data(buffer: response.body)) }
            // Without `Accept: …parquet`, an Arrow IPC stream, as upstream clients read it: messages, then the end marker.
            let (arrowStatus, arrowHeaders, arrow) = try await client.execute(
                uri: "/api/v2/scan", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: slice)
            ) { response in (response.status, response.headers, Data(buffer: response.body)) }
            #expect(arrowStatus == .ok && arrowHeaders[.contentType] == "application/vnd.apache.arrow.stream")
            #expect(arrowHeaders[HTTPField.Name("X-Agnes-Rows")!] == "5")
            #expect(arrow.prefix(4) == Data([0xFF, 0xFF, 0xFF, 0xFF]) && arrow.suffix(8) == Data([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]))
            #expect(status == .ok && headers[.contentType] == "application/vnd.apache.parquet" && body.prefix(4) == Data("PAR1".utf8))
            let snapshot = server.directory.appendingPathComponent("snapshot.parquet")
            try body.write(to: snapshot)
            struct Row: Decodable, Equatable { let id: Int64; let amount: Double }
            #expect(try Database().connect().query("SELECT * FROM read_parquet('\(snapshot.path)')").decode(Row.self)
                == [100, 98, 96, 94, 92].map { Row(id: $0, amount: Double($0) / 4) })
            #expect(try FileManager.default.contentsOfDirectory(atPath: ScratchSpace.directory(in: server.directory).appendingPathComponent("scans").path).isEmpty)

            // An analyst granted only `orders`.
            _ = try await client.send(.post, "/api/users", json: ["email": "an@example.com"], token: admin)
            let userId = try #require(try await server.services.users.find(email: "an@example.com")?.id)
            _ = try await client.send(.post, "/api/users/\(userId)/set-password", json: ["password": "analyst password"], token: admin)
            let analyst = try #require(try await client.send(.post, "/auth/token", json: ["email": "an@example.com", "password": "analyst password"]).string("access_token"))
            let group = try #require(try await client.send(.post, "/api/admin/groups", json: ["name": "Orders"], token: admin).string("id"))
            _ = try await client.send(.post, "/api/admin/groups/\(group)/members", json: ["email": "an@example.com"], token: admin)
            _ = try await client.send(.post, "/api/admin/grants", json: ["group_id": group, "resource_type": "table", "resource_id": "orders"], token: admin)
            #expect((try await client.send(.get, "/api/v2/catalog", token: analyst)["tables"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["orders"])
            #expect(try await client.send(.get, "/api/catalog/tables", token: analyst)["count"] as? Int == 1)
            #expect(try await client.send(.get, "/api/v2/schema/orders", token: analyst).status == .ok)
            for denied in [try await client.send(.get, "/api/v2/schema/payroll", token: analyst),
                           try await client.send(.get, "/api/v2/sample/payroll", token: analyst),
                           try await client.send(.post, "/api/v2/scan/estimate", json: ["table_id": "payroll"], token: analyst),
                           try await client.send(.post, "/api/v2/scan", json: ["table_id": "payroll"], token: analyst)] {
                #expect(denied.status == .forbidden && denied.detail == "not authorized for this table")
            }
        }
    }
}
