// What an upstream `agnes snapshot create` does against this server: `POST /api/v2/scan` without asking for parquet,
// and the body read with `pyarrow.ipc.open_stream`. The rows pyarrow reads are compared with the server's own answer.
import Crypto
import DuckDB
import Foundation
import Testing

@Suite("upstream clients", .serialized)
struct UpstreamScanTests {
    @Test("a scan answers an Arrow IPC stream that pyarrow reads, row for row as /api/query answers the same slice")
    func arrowScanForUpstreamClients() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let scan = try await server.client.call("POST", "/api/v2/scan", json: [
            "table_id": "web_sessions", "select": ["session_id", "started_at", "channel", "pages"], "where": "channel = 'ios'",
        ], token: server.admin)
        #expect(scan.status == 200 && scan.headers["Content-Type"] as? String == "application/vnd.apache.arrow.stream")
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stream = folder.appendingPathComponent("scan.arrows")
        try scan.body.write(to: stream)
        let report = try await ArrowReader.read(stream, parquet: folder.appendingPathComponent("scan.parquet"))
        let counted = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM web_sessions WHERE channel = 'ios'"],
                                                   token: server.admin)
        let expected = (counted.object["rows"] as? [[Int]])?.first?.first
        #expect(expected != nil && report["rows"] as? Int == expected)
        #expect(scan.headers["X-Agnes-Rows"] as? String == expected.map(String.init))
        let types = report["types"] as? [String: String] ?? [:]
        #expect(types["channel"] == "string" && types["started_at"]?.hasPrefix("timestamp[us") == true)
        let estimate = try await server.client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "orders"], token: server.admin)
        #expect(estimate.object["engine"] as? String == "duckdb")

        // `--from-query`: a guarded query's rows as the snapshot, with the analyst's grants.
        let byStatus = try await server.client.call("POST", "/api/v2/scan", json: [
            "table_id": "by_status", "from_query": "SELECT status, count(*) AS n FROM orders GROUP BY status", "as": "by_status",
        ], token: server.analyst)
        #expect(byStatus.status == 200 && byStatus.headers["X-Agnes-Rows"] as? String == "3", "\(byStatus.detail ?? "")")
        try byStatus.body.write(to: stream)
        #expect(try await ArrowReader.read(stream, parquet: folder.appendingPathComponent("by-status.parquet"))["rows"] as? Int == 3)
        let ungranted = try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "x", "from_query": "SELECT * FROM web_sessions"],
                                                     token: server.analyst)
        #expect(ungranted.status == 403 && ungranted.detail == "Access denied to table 'web_sessions'")
        #expect(try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "x", "from_query": "SELECT 1", "where": "1 = 1"],
                                             token: server.analyst).status == 400)
        #expect(try await server.client.call("POST", "/api/v2/scan", json: ["table_id": "x", "from_query": "DELETE FROM orders"],
                                             token: server.analyst).status == 400)
    }

    @Test("a partitioned table pulled as upstream clients do: whole, and by part with upstream's hashes")
    func partitionedForUpstreamClients() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let manifest = try await server.client.call("GET", "/api/sync/manifest", token: server.analyst)
        let orders = try #require((manifest.object["tables"] as? [String: [String: Any]])?["orders"])
        #expect(orders["parts"] == nil, "only partitioned tables list parts")
        // web_sessions is not the analyst's: an administrator pulls it.
        let entry = try #require(((try await server.client.call("GET", "/api/sync/manifest", token: server.admin)).object["tables"]
            as? [String: [String: Any]])?["web_sessions"])
        let parts = try #require(entry["parts"] as? [[String: Any]])
        let paths = parts.compactMap { $0["path"] as? String }
        #expect(parts.count > 1 && paths == paths.sorted())
        let lines = parts.map { "\($0["path"] as? String ?? ""):\($0["hash"] as? String ?? "")" }.joined(separator: "\n")
        #expect(entry["hash"] as? String == Insecure.MD5.hash(data: Data(lines.utf8)).map { String(format: "%02x", $0) }.joined())
        for part in parts {
            let path = try #require(part["path"] as? String)
            let answer = try await server.client.call("GET", "/api/data/web_sessions/download?part=\(path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")",
                                                      token: server.admin)
            let md5 = Insecure.MD5.hash(data: answer.body).map { String(format: "%02x", $0) }.joined()
            #expect(answer.status == 200 && md5 == part["hash"] as? String && answer.body.count == part["size_bytes"] as? Int)
            #expect(answer.headers["X-Agnes-Content-MD5"] as? String == md5)
        }
        for bad in ["../orders", "/etc/passwd", "data//x", "nope.parquet"] {
            let refused = try await server.client.call("GET", "/api/data/web_sessions/download?part=\(bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                                                       token: server.admin)
            #expect(refused.status == 404 && refused.detail == "Part not found", "\(bad)")
        }
        // The whole table: its parts joined into one parquet, the same file (and ETag) until the parts change.
        let whole = try await server.client.call("GET", "/api/data/web_sessions/download", token: server.admin)
        #expect(whole.status == 200 && whole.body.prefix(4) == Data("PAR1".utf8))
        let again = try await server.client.call("GET", "/api/data/web_sessions/download", token: server.admin)
        func etag(_ exchange: Exchange) -> String? {
            exchange.headers.first { ($0.key as? String)?.lowercased() == "etag" }?.value as? String
        }
        let sha = SHA256.hash(data: whole.body).map { String(format: "%02x", $0) }.joined()
        #expect(etag(whole) == "\"\(sha)\"" && etag(again) == etag(whole), "the ETag is the whole file's sha256, the same on the next request")
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try whole.body.write(to: folder.appendingPathComponent("whole.parquet"))
        let rows = try Database().connect().query("SELECT count(*)::VARCHAR FROM read_parquet('\(folder.appendingPathComponent("whole.parquet").path)')")
            .rows().first?[0].stringValue
        #expect(rows == "30000")
        // The analyst, not granted web_sessions, gets neither form.
        #expect(try await server.client.call("GET", "/api/data/web_sessions/download", token: server.analyst).status == 403)
        #expect(try await server.client.call("GET", "/api/data/web_sessions/download?part=\(paths[0])", token: server.analyst).status == 403)
    }
}

extension UpstreamScanTests {
    @Test("agnes snapshot create --from-query: the query's rows as a local view, kept for refresh; exclusive with a slice")
    func snapshotFromQuery() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let config = try temporaryDirectory(), workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: config); try? FileManager.default.removeItem(at: workspace) }
        let environment = ["AGNES_CONFIG_DIR": config.path, "AGNES_SERVER": server.client.base.absoluteString, "AGNES_TOKEN": server.analyst,
                           "AGNES_LOCAL_DIR": workspace.path]
        let cli = CLIFlowTests()
        let created = try await cli.agnes(["snapshot", "create", "by_status", "--from-query", "SELECT status, count(*) AS n FROM orders GROUP BY status",
                                     "--ttl", "1d"], environment: environment)
        #expect(created.status == 0 && created.out.contains("3 rows"), "\(created.err)")
        let counted = try await cli.agnes(["query", "--local", "--format", "csv", "SELECT sum(n) AS total FROM by_status"], environment: environment)
        #expect(counted.out.contains("30000"), "\(counted.out) \(counted.err)")
        #expect(try await cli.agnes(["snapshot", "refresh", "by_status"], environment: environment).status == 0)
        let denied = try await cli.agnes(["snapshot", "create", "s", "--from-query", "SELECT * FROM web_sessions"], environment: environment)
        #expect(denied.status == 8 && denied.err.contains("Access denied to table 'web_sessions'"), "\(denied.err)")
        let mixed = try await cli.agnes(["snapshot", "create", "s", "--from-query", "SELECT 1", "--where", "1 = 1"], environment: environment)
        #expect(mixed.status == 2)
    }

    @Test("snapshot --ttl: a bad value is a usage error (exit 2) before anything reaches the server")
    func badTimeToLive() async throws {
        let config = try temporaryDirectory(), workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: config); try? FileManager.default.removeItem(at: workspace) }
        let result = try await CLIFlowTests().agnes(["snapshot", "create", "orders", "--ttl", "5x"], environment: [
            "AGNES_CONFIG_DIR": config.path, "AGNES_SERVER": "http://127.0.0.1:9", "AGNES_TOKEN": "t", "AGNES_LOCAL_DIR": workspace.path,
        ])
        #expect(result.status == 2 && result.err.contains("--ttl '5x'"), "\(result.err)")
    }
}

/// pyarrow (`Tests/DuckDBTests/Arrow/read_ipc.py`) reading an Arrow IPC stream.
enum ArrowReader {
    static func read(_ stream: URL, parquet: URL) async throws -> [String: Any] {
        try await PythonTool.run("Tests/DuckDBTests/Arrow/read_ipc.py", [stream.path, parquet.path])
    }
}
