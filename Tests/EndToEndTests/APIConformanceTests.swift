// The real server's answers conform to the OpenAPI document it serves: schemathesis (pinned in
// scripts/python-tools.txt) sends generated requests to every operation of /api/openapi.json, signed in as an
// administrator and, on a second server, as an analyst of the sales folder, with real ids for the path parameters (a
// table, a part, a user, a group, a token, a memory item, a metric, a source, a grant), and checks that no answer is a
// server error and that every status, content type and body is the one the document gives. The DELETEs run in a
// second pass, after everything else, so the first pass has its fixtures.
//
// `AGNES_FUZZ_API_EXAMPLES` sets the examples per operation (3 in `make test`; `make fuzz-api` runs more). The
// findings this found, and the two 503s that stay, are listed in docs/reliability.md.
import AgnesAPI
import Foundation
import Testing

@Suite("API conformance", .serialized)
struct APIConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bin folder of the pinned Python tools (installed on first use).
    static func tools() throws -> URL {
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/python-tools")
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DemoServerError(message: "scripts/python-tools failed") }
        return URL(fileURLWithPath: String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func decode<T: Decodable>(_ type: T.Type, _ exchange: Exchange) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: exchange.body)
    }

    /// Examples generated per operation and pass.
    static var examples: String { ProcessInfo.processInfo.environment["AGNES_FUZZ_API_EXAMPLES"].flatMap { Int($0) }.map(String.init) ?? "3" }

    enum Role: String, CaseIterable, CustomTestStringConvertible {
        case administrator, analyst
        var testDescription: String { rawValue }
    }

    @Test("every operation's answers conform to /api/openapi.json: no server error; documented statuses, content types, bodies",
          arguments: Role.allCases)
    func conformance(_ role: Role) async throws {
        let bin = try Self.tools()
        let server = try await DemoServer.start()
        defer { server.stop() }
        let (client, admin) = (server.client, server.admin)
        // Real ids for the path parameters.
        let analyst = try #require(try decode([UserInfo].self, try await client.call("GET", "/api/users", token: admin))
            .first { $0.email == DemoServer.analystEmail })
        let group = try #require(try decode([GroupInfo].self, try await client.call("GET", "/api/admin/groups", token: admin))
            .first { $0.name == "Analysts" })
        let token = try decode(CreatedToken.self, try await client.call("POST", "/auth/tokens", json: ["name": "conformance"], token: admin))
        let item = try #require(try decode(MemoryPage.self, try await client.call("GET", "/api/memory", token: admin)).items.first)
        let metric = try #require(try decode(MetricList.self, try await client.call("GET", "/api/metrics", token: admin)).metrics.first)
        let source = try #require(try decode([SourceInfo].self, try await client.call("GET", "/api/admin/sources", token: admin)).first)
        let manifest = try decode(Manifest.self, try await client.call("GET", "/api/sync/manifest", token: admin))
        let parts = manifest.tables.compactMap { id, table -> (String, String)? in table.files.first?.part.map { (id, $0) } }
        let (partitioned, part) = try #require(parts.first)
        let grant = try #require(try decode([GrantInfo].self, try await client.call("GET", "/api/admin/grants", token: admin)).first)
        var ids: [(path: String, values: [String: String])] = [
            ("/api/data/{id}/parts/{part}", ["path.id": partitioned, "path.part": part]),
            ("/api/data/{id}/download", ["path.id": "orders"]), ("/api/data/{id}/check-access", ["path.id": "orders"]),
            ("/api/v2/schema/{id}", ["path.id": "orders"]), ("/api/v2/sample/{id}", ["path.id": "orders"]), ("/api/catalog/profile/{id}", ["path.id": "orders"]),
            ("/api/admin/registry/{id}", ["path.id": "orders"]), ("/api/users/{id}", ["path.id": analyst.id]),
            ("/api/users/{id}/activate", ["path.id": analyst.id]), ("/api/users/{id}/deactivate", ["path.id": analyst.id]),
            ("/api/users/{id}/reset-password", ["path.id": analyst.id]), ("/api/users/{id}/set-password", ["path.id": analyst.id]),
            ("/api/admin/users/{uid}/memberships", ["path.uid": analyst.id]), ("/api/admin/users/{uid}/effective-access", ["path.uid": analyst.id]),
            ("/api/admin/groups/{gid}", ["path.gid": group.id]), ("/api/admin/groups/{gid}/members", ["path.gid": group.id]),
            ("/auth/tokens/{id}", ["path.id": token.id]), ("/api/memory/{id}", ["path.id": item.item.id]), ("/api/memory/{id}/vote", ["path.id": item.item.id]),
            ("/api/memory/admin/{id}", ["path.id": item.item.id]), ("/api/metrics/{category}/{name}", ["path.category": metric.category, "path.name": metric.name]),
            ("/api/admin/metrics/{category}/{name}", ["path.category": metric.category, "path.name": metric.name]),
            ("/api/admin/sources/{name}", ["path.name": source.name]), ("/api/admin/sources/{name}/test", ["path.name": source.name]),
            ("/api/admin/grants/{id}", ["path.id": grant.id]), ("/auth/admin/tokens/{id}", ["path.id": token.id]),
            ("/api/admin/groups/{gid}/members/{uid}", ["path.gid": group.id, "path.uid": analyst.id]),
            ("/api/admin/users/{uid}/memberships/{gid}", ["path.uid": analyst.id, "path.gid": group.id]),
        ]
        for action in ReviewAction.allCases { ids.append(("/api/memory/admin/\(action.rawValue)", ["query.item_id": item.item.id])) }
        // Upstream's contract: a webhook without its secret is 503, and so is readiness that fails.
        var config = "headers = { Authorization = \"Bearer \(role == .administrator ? admin : server.analyst)\" }\n"
        for path in ["/webhooks/jira", "/readyz"] {
            config += "\n[[operations]]\ninclude-path = \"\(path)\"\nchecks.not_a_server_error.expected-statuses = [\"2XX\", \"3XX\", \"4XX\", 503]\n"
        }
        for (path, values) in ids {
            config += "\n[[operations]]\ninclude-path = \"\(path)\"\nparameters = { "
            config += values.map { "\"\($0.key)\" = \"\($0.value)\"" }.sorted().joined(separator: ", ") + " }\n"
        }
        let file = server.dataDirectory.appendingPathComponent("schemathesis.toml")
        try Data(config.utf8).write(to: file)

        // Everything but the DELETEs (and the one-time bootstrap), then the DELETEs.
        for (pass, methods) in [("main", ["--exclude-method", "DELETE"]), ("deletes", ["--include-method", "DELETE"])] {
            let process = Process()
            process.executableURL = bin.appendingPathComponent("schemathesis")
            process.arguments = ["--config-file", file.path, "run", client.base.absoluteString + "/api/openapi.json",
                                 "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                                 "--phases", "examples,fuzzing", "--max-examples", Self.examples,
                                 "--exclude-path", "/auth/bootstrap", "--workers", "1", "--no-color", "--seed", "20261203"] + methods
            process.currentDirectoryURL = server.dataDirectory
            let output = server.dataDirectory.appendingPathComponent("schemathesis-\(role)-\(pass).log")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = process.standardOutput
            try await process.runUntilExit()
            let report = try String(contentsOf: output, encoding: .utf8)
            // Kept where a reader finds it after the run (the data directory goes with the server).
            let kept = Self.root.appendingPathComponent(".build/fuzz-api")
            try? FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
            try? Data(report.utf8).write(to: kept.appendingPathComponent("\(role)-\(pass).log"))
            #expect(process.terminationStatus == 0, "\(role), \(pass): \(report.suffix(8000))")
            #expect(report.contains("Tested: "), "\(role), \(pass): \(report.suffix(2000))")
            if let summary = report.range(of: "Test cases:") { print("schemathesis \(role) \(pass): \(report[summary.lowerBound...].prefix(200))") }
        }
    }
}
