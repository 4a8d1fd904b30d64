// The health route and server configuration, tested over real HTTP on 127.0.0.1.
import AgnesCore
import AgnesServer
import Foundation
import HummingbirdTesting
import Testing

@Suite("health")
struct HealthRouteTests {
    @Test("GET /api/health answers ok with the Agnes and DuckDB versions")
    func health() async throws {
        let app = AgnesServerApplication.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0))
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let health = try JSONDecoder().decode(HealthStatus.self, from: Data(buffer: response.body))
                #expect(health == HealthStatus(status: "ok", version: AgnesVersion.current, duckdb: "v1.5.5"))
            }
        }
    }

    @Test("an unknown path answers 404")
    func unknownPath() async throws {
        let app = AgnesServerApplication.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0))
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
