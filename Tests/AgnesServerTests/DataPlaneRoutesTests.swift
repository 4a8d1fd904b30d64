// The data plane over HTTP: data sources, registration, a sync from real files, the RBAC-filtered manifest with its
// ETag, and unregistering — as an admin and as an analyst.
@testable import AgnesServer
@testable import AgnesData
import AgnesDomain
import AgnesState
import AgnesTestSupport
import Crypto
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("data plane routes")
struct DataPlaneRoutesTests {
    @Test("source → register → sync → manifest (filtered by grants, ETag) → unregister")
    func registerSyncManifest() async throws {
        try await TestServer.run { server, client in
            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            try "id,total\n1,10\n2,20\n3,30\n".write(to: files.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
            try "id,name\n1,Ann\n".write(to: files.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
            let admin = try await client.adminToken()

            let badSource = try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": "relative"]], token: admin)
            #expect(badSource.status == .badRequest)
            let source = try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": files.path]], token: admin)
            #expect(source.status == .created && (source["config"] as? [String: Any])?["directory"] as? String == files.path)
            #expect(try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": files.path]], token: admin).status == .conflict)

            // Connection tests: a readable directory passes; hosts that resolve to internal addresses are refused (SSRF).
            let tested = try await client.send(.post, "/api/admin/sources/shop/test", token: admin)
            #expect(tested["ok"] as? Bool == true && (tested["message"] as? String)?.contains("readable") == true)
            for host in ["127.0.0.1", "169.254.169.254", "localhost"] {
                _ = try await client.send(.post, "/api/admin/sources", json: ["name": "pg", "type": "postgres",
                                                                             "config": ["host": host, "database": "d", "user": "u"]], token: admin)
                _ = try await client.send(.put, "/api/admin/sources/pg", json: ["type": "postgres", "config": ["host": host, "database": "d", "user": "u"]],
                                          token: admin)
                let refused = try await client.send(.post, "/api/admin/sources/pg/test", token: admin)
                #expect(refused.status == .badRequest && refused.detail?.contains("internal address") == true, "\(host)")
            }
            #expect(try await client.send(.delete, "/api/admin/sources/pg", token: admin).status == .noContent)
            #expect(try await client.send(.post, "/api/admin/sources/ghost/test", token: admin).status == .notFound)

            let orders = try await client.send(.post, "/api/admin/register-table", json: ["name": "orders", "source_name": "shop", "source_table": "orders.csv"], token: admin)
            #expect(orders.status == .created && orders.string("id") == "orders" && orders.string("status") == "registered")
            #expect(try await client.send(.post, "/api/admin/register-table", json: ["name": "orders", "source_name": "shop"], token: admin).detail == "Table 'orders' already registered")
            #expect(try await client.send(.post, "/api/admin/register-table", json: ["name": " "], token: admin).detail == "Table name cannot be empty")
            #expect(try await client.send(.post, "/api/admin/register-table", json: ["name": "x", "source_name": "nope"], token: admin).status == .unprocessableContent)
            // A mode the source cannot serve is refused at registration, not accepted and never served.
            let live = try await client.send(.post, "/api/admin/register-table", json: ["name": "live", "source_name": "shop", "source_table": "orders.csv",
                                                                                          "query_mode": "remote"], token: admin)
            #expect(live.status == .unprocessableContent && live.detail?.contains("cannot serve tables in remote mode") == true)
            _ = try await client.send(.post, "/api/admin/register-table", json: ["name": "customers", "source_name": "shop", "source_table": "customers.csv"], token: admin)
            let badSchedule = try await client.send(.put, "/api/admin/registry/orders", json: ["sync_schedule": "hourly"], token: admin)
            #expect(badSchedule.status == .unprocessableContent && badSchedule.detail?.contains("every Nm") == true)
            let updated = try await client.send(.put, "/api/admin/registry/orders", json: ["description": "All orders", "folder": "sales"], token: admin)
            #expect(updated.status == .ok && (updated["updated"] as? [String])?.sorted() == ["description", "folder"])

            let trigger = try await client.send(.post, "/api/sync/trigger", token: admin)
            #expect(trigger.status == .ok && (trigger["tables"] as? [String])?.sorted() == ["customers", "orders"])
            for _ in 0..<250 where try await client.send(.get, "/api/sync/status")["locked"] as? Bool == true {
                try await Task.sleep(for: .milliseconds(20))
            }
            let history = try await client.send(.get, "/api/sync/history?table=orders", token: admin)
            #expect((history.json as? [[String: Any]])?.first?["status"] as? String == "ok")

            let manifest = try await client.send(.get, "/api/sync/manifest", token: admin)
            let tables = try #require(manifest["tables"] as? [String: [String: Any]])
            #expect(tables.keys.sorted() == ["customers", "orders"])
            let entry = try #require(tables["orders"])
            #expect(entry["rows"] as? Int == 3 && (entry["hash"] as? String)?.count == 32 && (entry["sha256"] as? String)?.count == 64)
            #expect(manifest.string("server_time") != nil && manifest["version"] as? Int == 2)
            let etag = try #require(manifest.headers[.eTag])
            let again = try await client.send(.get, "/api/sync/manifest", token: admin, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            // A client that accepts gzip gets the same body compressed (its head compressed once, each response's
            // `server_time` appended as the last block): one intact gzip member, the same ETag, `Vary` set.
            for accept in ["gzip", "br;q=1.0, gzip;q=0.8", "*"] {
                let (headers, bytes) = try await client.execute(uri: "/api/sync/manifest", method: .get,
                                                                headers: [.authorization: "Bearer \(admin)", .acceptEncoding: accept], body: nil) {
                    ($0.headers, Data(buffer: $0.body))
                }
                #expect(headers[.contentEncoding] == "gzip" && headers[.eTag] == etag && headers[.vary] == "Accept-Encoding", "\(accept)")
                let plain = try JSONSerialization.jsonObject(with: try Gunzip.decompress(bytes)) as? NSDictionary
                let expected = NSMutableDictionary(dictionary: manifest.object)
                expected["server_time"] = plain?["server_time"]
                #expect(plain == expected && bytes.count < manifest.text.utf8.count, "\(accept)")
            }
            for refused in ["identity", "gzip;q=0", "br"] {
                let headers = try await client.execute(uri: "/api/sync/manifest", method: .get,
                                                       headers: [.authorization: "Bearer \(admin)", .acceptEncoding: refused], body: nil) { $0.headers }
                #expect(headers[.contentEncoding] == nil, "\(refused)")
            }
            // The file is named by its content, as the manifest lists it.
            let ordersPath = try #require((entry["files"] as? [[String: Any]])?.first?["path"] as? String)
            #expect(ordersPath.hasPrefix("data/orders.") && ordersPath.hasSuffix(".parquet") && ordersPath.contains((entry["sha256"] as? String ?? "").prefix(16)))
            #expect(FileManager.default.fileExists(atPath: server.directory.appendingPathComponent("extracts/shop/\(ordersPath)").path))
            #expect(try await server.services.dataPlane.orchestrator.engine?.withConnection {
                try $0.scalar(Int64.self, "SELECT sum(total) FROM orders WHERE id > $1", 0)
            } == 60)

            // An analyst sees only what their groups were granted: by table, or by the table's folder.
            _ = try await client.send(.post, "/api/users", json: ["email": "ana@example.com"], token: admin)
            let anaId = try #require(try await server.services.users.find(email: "ana@example.com")?.id)
            _ = try await client.send(.post, "/api/users/\(anaId)/set-password", json: ["password": "ana password"], token: admin)
            let ana = try #require(try await client.send(.post, "/auth/token", json: ["email": "ana@example.com", "password": "ana password"]).string("access_token"))
            #expect((try await client.send(.get, "/api/sync/manifest", token: ana)["tables"] as? [String: Any])?.isEmpty == true)
            let group = try #require(try await client.send(.post, "/api/admin/groups", json: ["name": "Sales"], token: admin).string("id"))
            _ = try await client.send(.post, "/api/admin/groups/\(group)/members", json: ["email": "ana@example.com"], token: admin)
            _ = try await client.send(.post, "/api/admin/grants", json: ["group_id": group, "resource_type": "table_folder", "resource_id": "sales"], token: admin)
            let anaManifest = try await client.send(.get, "/api/sync/manifest", token: ana)
            #expect((anaManifest["tables"] as? [String: Any])?.keys.sorted() == ["orders"])
            #expect(try await client.send(.post, "/api/sync/trigger", token: ana).status == .forbidden)

            // Unregistering removes the table from the manifest and the engine.
            #expect(try await client.send(.delete, "/api/admin/registry/orders", token: admin).status == .noContent)
            #expect((try await client.send(.get, "/api/sync/manifest", token: admin)["tables"] as? [String: Any])?.keys.sorted() == ["customers"])
            #expect(server.services.dataPlane.orchestrator.engine?.tables["orders"] == nil)
            #expect(try await client.send(.delete, "/api/admin/registry/orders", token: admin).detail == "Table not found")
        }
    }

    @Test("a second trigger while a sync runs is 409 sync_already_in_progress; unknown ids are 404")
    func triggerConflicts() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            #expect(try await client.send(.post, "/api/sync/trigger", raw: #"["ghost"]"#, token: admin).status == .notFound)
            #expect(try await client.send(.post, "/api/sync/trigger", raw: #"{"tables": 5}"#, token: admin).status == .unprocessableContent)
            // A run in progress (held open here, as a long sync would) refuses a second trigger.
            #expect(server.services.dataPlane.beginRun(["orders"]))
            let second = try await client.send(.post, "/api/sync/trigger", token: admin)
            #expect(second.status == .conflict && second.detail == "sync_already_in_progress")
            #expect(try await client.send(.get, "/api/sync/status")["running"] as? [String] == ["orders"])
            server.services.dataPlane.endRun()
            #expect(try await client.send(.post, "/api/sync/trigger", token: admin).status == .ok)
        }
    }

    @Test("Range as RFC 9110 says: one range served, an unparseable, other-unit or multiple range ignored, only a range past the end is 416",
          arguments: [
              ("bytes=0-99", DownloadRoutes.RangeRequest.bytes(0...99)), ("bytes=990-", .bytes(990...999)), ("bytes=-10", .bytes(990...999)),
              ("bytes=500-5000", .bytes(500...999)), ("bytes=-5000", .bytes(0...999)), ("BYTES=1-2", .bytes(1...2)),
              ("bytes=1000-", .unsatisfiable), ("bytes=5000-6000", .unsatisfiable), ("bytes=-0", .unsatisfiable),
              ("bytes=0-1,5-6", .whole), ("items=0-10", .whole), ("bytes=abc", .whole), ("bytes=5-3", .whole), ("bytes=-", .whole),
              ("bytes=1-2x", .whole), ("garbage", .whole), ("bytes=0x10-", .whole),
          ] as [(String, DownloadRoutes.RangeRequest)])
    func rangeHeaders(header: String, expected: DownloadRoutes.RangeRequest) {
        #expect(DownloadRoutes.rangeRequest(header, size: 1000) == expected, "\(header)")
    }

    @Test("downloads: 200 with the sha256 ETag, 304, 206 for ranges, If-Range, 416, HEAD; 403 and 404 by id")
    func downloads() async throws {
        try await TestServer.run { server, client in
            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            let rows = (1...5000).map { "\($0),name-\($0),\(Double($0) * 1.5)" }.joined(separator: "\n")
            try ("id,name,amount\n" + rows + "\n").write(to: files.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
            let admin = try await client.adminToken()
            _ = try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": files.path]], token: admin)
            _ = try await client.send(.post, "/api/admin/register-table", json: ["name": "orders", "source_name": "shop", "source_table": "orders.csv"], token: admin)
            try await server.services.dataPlane.syncNow(nil, trigger: "test")
            let entry = try #require((try await client.send(.get, "/api/sync/manifest", token: admin)["tables"] as? [String: [String: Any]])?["orders"])
            let sha = try #require(entry["sha256"] as? String)
            let path = try #require((entry["files"] as? [[String: Any]])?.first?["path"] as? String)
            let onDisk = try Data(contentsOf: server.directory.appendingPathComponent("extracts/shop/\(path)"))

            func fetch(_ method: HTTPRequest.Method = .get, headers: HTTPFields = [:], token: String? = nil) async throws -> (HTTPResponse.Status, HTTPFields, Data) {
                var fields = headers
                fields[.authorization] = "Bearer \(token ?? admin)"
                return try await client.execute(uri: "/api/data/orders/download", method: method, headers: fields) { response in
                    (response.status, response.headers, Data(buffer: response.body))
                }
            }
            let (status, headers, body) = try await fetch()
            #expect(status == .ok && body == onDisk && headers[.eTag] == "\"\(sha)\"" && headers[.contentLength] == String(onDisk.count))
            #expect(Self.sha256(body) == sha)
            #expect(try await fetch(headers: [.ifNoneMatch: "\"\(sha)\""]).0 == .notModified)

            let (partial, partialHeaders, part) = try await fetch(headers: [.range: "bytes=0-99"])
            #expect(partial == .partialContent && part == onDisk.prefix(100) && partialHeaders[.contentRange] == "bytes 0-99/\(onDisk.count)")
            let (_, _, tail) = try await fetch(headers: [.range: "bytes=-10"])
            #expect(tail == onDisk.suffix(10))
            let (resumed, _, rest) = try await fetch(headers: [.range: "bytes=100-", .ifRange: "\"\(sha)\""])
            #expect(resumed == .partialContent && rest == onDisk.dropFirst(100))
            let (changed, _, whole) = try await fetch(headers: [.range: "bytes=100-", .ifRange: "\"stale\""])
            #expect(changed == .ok && whole == onDisk)
            let (beyond, beyondHeaders, _) = try await fetch(headers: [.range: "bytes=\(onDisk.count)-"])
            #expect(beyond == .rangeNotSatisfiable && beyondHeaders[.contentRange] == "bytes */\(onDisk.count)")
            // A range the server does not serve (several at once, another unit, bad syntax) gets the whole file.
            for header in ["bytes=0-1,5-6", "rows=0-10", "bytes=oops"] {
                let (ignored, ignoredHeaders, all) = try await fetch(headers: [.range: header])
                #expect(ignored == .ok && all == onDisk && ignoredHeaders[.contentRange] == nil, "\(header)")
            }
            let (headStatus, headHeaders, headBody) = try await fetch(.head)
            #expect(headStatus == .ok && headHeaders[.contentLength] == String(onDisk.count) && headBody.isEmpty)

            _ = try await client.send(.post, "/api/users", json: ["email": "bo@example.com"], token: admin)
            let boId = try #require(try await server.services.users.find(email: "bo@example.com")?.id)
            _ = try await client.send(.post, "/api/users/\(boId)/set-password", json: ["password": "bo password"], token: admin)
            let bo = try #require(try await client.send(.post, "/auth/token", json: ["email": "bo@example.com", "password": "bo password"]).string("access_token"))
            let denied = try await client.send(.get, "/api/data/orders/download", token: bo)
            #expect(denied.status == .forbidden && denied.detail == "Access denied to this table")
            #expect(try await client.send(.get, "/api/data/orders/check-access", token: bo).status == .forbidden)
            #expect(try await client.send(.get, "/api/data/orders/check-access", token: admin).status == .noContent)
            #expect(try await client.send(.get, "/api/data/ghost/download", token: admin).status == .notFound)
            #expect(try await client.send(.get, "/api/data/..%2Fetc/download", token: admin).status == .badRequest)
            try await server.services.audit.flush()
            let downloads = try await server.services.audit.query(AuditQuery(action: "data.download"))
            #expect(downloads.entries.count >= 5)
        }
    }

    @Test("partitioned tables: the manifest lists their parts; each part downloads with its own sha256 ETag")
    func partitionedDownloads() async throws {
        try await TestServer.run { server, client in
            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            let rows = (0..<900).map { "\($0),2026-0\($0 % 3 + 1)-1\($0 % 9),\($0 * 2)" }.joined(separator: "\n")
            try ("id,day,amount\n" + rows + "\n").write(to: files.appendingPathComponent("sessions.csv"), atomically: true, encoding: .utf8)
            let admin = try await client.adminToken()
            _ = try await client.send(.post, "/api/admin/sources", json: ["name": "web", "type": "files", "config": ["directory": files.path]], token: admin)
            let refused = try await client.send(.post, "/api/admin/register-table", json: ["name": "sessions", "source_name": "web", "source_table": "sessions.csv",
                                                                                            "sync_strategy": "partitioned"], token: admin)
            #expect(refused.status == .unprocessableContent && refused.detail?.contains("partition_by") == true)
            let registered = try await client.send(.post, "/api/admin/register-table", json: ["name": "sessions", "source_name": "web", "source_table": "sessions.csv",
                                                                                               "sync_strategy": "partitioned", "partition_by": "day"], token: admin)
            #expect(registered.status == .created)
            try await server.services.dataPlane.syncNow(nil, trigger: "test")

            let entry = try #require((try await client.send(.get, "/api/sync/manifest", token: admin)["tables"] as? [String: [String: Any]])?["sessions"])
            let parts = try #require(entry["files"] as? [[String: Any]])
            #expect(entry["rows"] as? Int == 900 && (entry["hash"] as? String)?.count == 32 && parts.compactMap { $0["part"] as? String } == ["2026-01", "2026-02", "2026-03"])
            #expect((entry["parts"] as? [[String: Any]])?.count == 3, "upstream's form of the same parts")
            // The whole table: its parts joined into one parquet (upstream clients without parts download it so).
            let (wholeStatus, wholeHeaders, wholeBody) = try await client.execute(uri: "/api/data/sessions/download", method: .get,
                                                                                  headers: [.authorization: "Bearer \(admin)"]) { response in
                (response.status, response.headers, Data(buffer: response.body))
            }
            let wholeFile = server.directory.appendingPathComponent("whole-sessions.parquet")
            try wholeBody.write(to: wholeFile)
            #expect(wholeStatus == .ok && wholeHeaders[.eTag] == "\"\(Self.sha256(wholeBody))\"")
            #expect(try Database().connect().query("SELECT count(*)::VARCHAR FROM read_parquet('\(wholeFile.path)')").rows().first?[0].stringValue == "900")
            for part in parts {
                let name = try #require(part["part"] as? String)
                let (status, headers, body) = try await client.execute(uri: "/api/data/sessions/parts/\(name)", method: .get,
                                                                       headers: [.authorization: "Bearer \(admin)"]) { response in
                    (response.status, response.headers, Data(buffer: response.body))
                }
                #expect(status == .ok && Self.sha256(body) == part["sha256"] as? String && headers[.eTag] == "\"\(Self.sha256(body))\"")
                #expect(body.count == part["size_bytes"] as? Int)
            }
            let ranged = try await client.execute(uri: "/api/data/sessions/parts/2026-02.parquet", method: .get,
                                                  headers: [.authorization: "Bearer \(admin)", .range: "bytes=0-3"]) { response in
                (response.status, Data(buffer: response.body))
            }
            #expect(ranged.0 == .partialContent && ranged.1 == Data("PAR1".utf8))
            #expect(try await client.send(.get, "/api/data/sessions/parts/2025-12", token: admin).status == .notFound)
        }
    }

    @Test("POST /api/query: one guarded SELECT over granted tables; 400 for anything else, 403 for tables not granted")
    func query() async throws {
        try await TestServer.run { server, client in
            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            try "id,total\n1,10\n2,20\n3,30\n".write(to: files.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
            let admin = try await client.adminToken()
            _ = try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": files.path]], token: admin)
            _ = try await client.send(.post, "/api/admin/register-table", json: ["name": "orders", "source_name": "shop", "source_table": "orders.csv"], token: admin)
            try await server.services.dataPlane.syncNow(nil, trigger: "test")

            let result = try await client.send(.post, "/api/query", json: ["sql": "SELECT id, total FROM orders ORDER BY id -- last_update;", "limit": 2], token: admin)
            #expect(result.status == .ok && result["columns"] as? [String] == ["id", "total"])
            #expect(result["rows"] as? [[Int]] == [[1, 10], [2, 20]] && result["row_count"] as? Int == 2 && result["truncated"] as? Bool == true)
            #expect(try await client.send(.post, "/api/query", json: ["sql": "SELECT 1 AS last_update"], token: admin).status == .ok)

            let insert = try await client.send(.post, "/api/query", json: ["sql": "WITH x AS (SELECT 1) INSERT INTO orders SELECT * FROM x"], token: admin)
            #expect(insert.status == .badRequest && insert.detail?.hasPrefix("Only single SELECT queries are allowed") == true)
            let file = try await client.send(.post, "/api/query", json: ["sql": "SELECT * FROM read_text('/etc/passwd')"], token: admin)
            #expect(file.status == .badRequest && file.detail == "Function 'read_text' is not allowed in queries")
            #expect(try await client.send(.post, "/api/query", json: ["sql": "SELECT * FROM shop.orders"], token: admin).status == .forbidden)
            let unknown = try await client.send(.post, "/api/query", json: ["sql": "SELECT * FROM ghosts"], token: admin)
            #expect(unknown.status == .badRequest && unknown.detail?.contains("agnes catalog") == true)
            let broken = try await client.send(.post, "/api/query", json: ["sql": "SELECT nope FROM orders"], token: admin)
            #expect(broken.status == .badRequest && broken.detail?.hasPrefix("Query error: ") == true)

            _ = try await client.send(.post, "/api/users", json: ["email": "cy@example.com"], token: admin)
            let cyId = try #require(try await server.services.users.find(email: "cy@example.com")?.id)
            _ = try await client.send(.post, "/api/users/\(cyId)/set-password", json: ["password": "cy password"], token: admin)
            let cy = try #require(try await client.send(.post, "/auth/token", json: ["email": "cy@example.com", "password": "cy password"]).string("access_token"))
            let denied = try await client.send(.post, "/api/query", json: ["sql": "SELECT count(*) FROM orders"], token: cy)
            #expect(denied.status == .forbidden && denied.detail == "Access denied to table 'orders'")

            try await server.services.audit.flush()
            let audited = try await server.services.audit.query(AuditQuery(action: "query.local"))
            #expect(audited.entries.contains { $0.params?.contains("SELECT id, total FROM orders") == true && $0.result == "success" })
            #expect(audited.entries.contains { $0.result == "error.403" })
        }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
