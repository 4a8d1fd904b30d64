// The health route and server configuration, tested over real HTTP on 127.0.0.1.
import AgnesAPI
import AgnesCore
@testable import AgnesServer
import AgnesState
import Foundation
import HummingbirdTesting
import Testing

@Suite("health")
struct HealthRouteTests {
    @Test("GET /api/health answers ok with the Agnes and DuckDB versions")
    func health() async throws {
        try await TestServer.run { _, client in
            try await client.execute(uri: "/api/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let health = try JSONDecoder().decode(HealthStatus.self, from: Data(buffer: response.body))
                let expected = StateSchema.migrator.latestVersion
                #expect(health == HealthStatus(status: "ok", version: AgnesVersion.current, duckdb: "v1.5.5", dbSchema: "ok",
                                               current: expected, expected: expected))
            }
        }
    }

    @Test("the README shows what GET /api/health answers today")
    func readmeSample() async throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").standardizedFileURL
        let text = try String(contentsOf: readme, encoding: .utf8)
        let sample = try #require(text.split(separator: "\n").first { $0.hasPrefix("{\"current\":") }, "no health sample in README.md")
        try await TestServer.run { _, client in
            let response = try await client.send(.get, "/api/health")
            #expect(response.text == String(sample))
        }
    }

    @Test("an unknown path answers 404")
    func unknownPath() async throws {
        try await TestServer.run { _, client in
            let response = try await client.send(.get, "/api/nothing-here")
            #expect(response.status == .notFound)
            #expect(response.detail == "Not Found")
        }
    }
}
