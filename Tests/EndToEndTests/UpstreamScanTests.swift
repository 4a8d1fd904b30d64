// What an upstream `agnes snapshot create` does against this server: `POST /api/v2/scan` without asking for parquet,
// and the body read with `pyarrow.ipc.open_stream`. The rows pyarrow reads are compared with the server's own answer.
import Foundation
import Testing

@Suite("upstream scan clients")
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
        let report = try ArrowReader.read(stream, parquet: folder.appendingPathComponent("scan.parquet"))
        let counted = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM web_sessions WHERE channel = 'ios'"],
                                                   token: server.admin)
        let expected = (counted.object["rows"] as? [[Int]])?.first?.first
        #expect(expected != nil && report["rows"] as? Int == expected)
        #expect(scan.headers["X-Agnes-Rows"] as? String == expected.map(String.init))
        let types = report["types"] as? [String: String] ?? [:]
        #expect(types["channel"] == "string" && types["started_at"]?.hasPrefix("timestamp[us") == true)
    }
}

/// pyarrow (`Tests/DuckDBTests/Arrow/read_ipc.py`) reading an Arrow IPC stream.
enum ArrowReader {
    static func read(_ stream: URL, parquet: URL) throws -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv-tools/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/DuckDBTests/Arrow/read_ipc.py").path, stream.path, parquet.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DemoServerError(message: "pyarrow could not read \(stream.path)")
        }
        return report
    }
}
