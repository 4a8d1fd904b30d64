// The health route and server configuration, tested over real HTTP on 127.0.0.1.
import AgnesCore
import AgnesServer
import Foundation
import HummingbirdTesting
import Testing

@Suite("health and configuration")
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

    @Test("options win over AGNES_HOST/AGNES_PORT, which win over the defaults")
    func addressResolution() throws {
        #expect(try ServerConfiguration.resolve(host: nil, port: nil, environment: [:]) == ServerConfiguration(host: "127.0.0.1", port: 8000))
        let environment = ["AGNES_HOST": "0.0.0.0", "AGNES_PORT": "9001"]
        #expect(try ServerConfiguration.resolve(host: nil, port: nil, environment: environment) == ServerConfiguration(host: "0.0.0.0", port: 9001))
        #expect(try ServerConfiguration.resolve(host: "127.0.0.2", port: 7000, environment: environment) == ServerConfiguration(host: "127.0.0.2", port: 7000))
    }

    @Test("a malformed AGNES_PORT is refused with an error naming the key")
    func badPort() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(host: nil, port: nil, environment: ["AGNES_PORT": "eighty"])
        }
        #expect(error?.description.contains("AGNES_PORT=eighty") == true)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve(host: nil, port: 70_000, environment: [:]) }
    }
}
