// A server over an in-memory state database with a test configuration (fast bcrypt, rate limits off unless asked and
// then on a stopped clock), driven over real HTTP on 127.0.0.1, and small helpers to send JSON and read JSON back.
import AgnesDomain
@testable import AgnesServer
import AgnesState
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Mail kept in memory, for tests that follow links.
final class CapturingMailer: Mailer, @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var messages: [MailMessage] = []

    func send(_ message: MailMessage) async throws { lock.withLock { messages.append(message) } }
    var sent: [MailMessage] { lock.withLock { messages } }

    /// The last link sent to `email`.
    func lastLink(to email: String) -> URLComponents? {
        guard let message = sent.last(where: { $0.to == email }),
              let line = message.text.split(separator: "\n").first(where: { $0.hasPrefix("http") }) else { return nil }
        return URLComponents(string: String(line))
    }
}

struct TestServer {
    let services: ServerServices
    let mailer: CapturingMailer
    let directory: URL

    static let adminEmail = "admin@example.com"
    static let adminPassword = "correct horse battery"

    /// Starts the services; `seedAdmin` creates `admin@example.com` through `SEED_ADMIN_*`.
    static func start(environment: [String: String] = [:], seedAdmin: Bool = true) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-server-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The test client keeps one connection for the whole test, and a test may work on the state directly between two
        // requests: on a loaded machine (a full `make test` on two cores) 55 writes have taken over the default 60 s
        // idle timeout, after which the server had closed the client's connection.
        var settings = ["DATA_DIR": directory.path, "AGNES_BCRYPT_COST": "4", "AGNES_AUTH_RATELIMIT_ENABLED": "false",
                        "SERVER_URL": "http://agnes.test", "AGNES_IDLE_TIMEOUT_SECONDS": "600"]
        if seedAdmin {
            settings["SEED_ADMIN_EMAIL"] = adminEmail
            settings["SEED_ADMIN_PASSWORD"] = adminPassword
        }
        settings.merge(environment) { _, new in new }
        let configuration = try AgnesConfiguration.load(environment: settings, overrides: .init(host: "127.0.0.1", port: 0))
        let mailer = CapturingMailer()
        var services = try await ServerServices.start(configuration: configuration, state: try StateStore.inMemory(), mailer: mailer)
        // Time stands still for the limits: a loaded machine that takes over a minute for a test's attempts must not
        // see a window start afresh halfway.
        let frozen = Date()
        services.rateLimiter = RateLimiter(enabled: configuration.rateLimitEnabled, clock: { frozen })
        return TestServer(services: services, mailer: mailer, directory: directory)
    }

    /// Runs `body` against the server over HTTP (`testLive`), then stops it. The client holds one connection and is
    /// used one request at a time; requests sent at once go through `TestServer.post(port:…)`, a connection each.
    static func run(environment: [String: String] = [:], seedAdmin: Bool = true,
                    _ body: @Sendable (TestServer, LiveTestClient) async throws -> Void) async throws {
        let server = try await start(environment: environment, seedAdmin: seedAdmin)
        do {
            try await AgnesServerApplication.make(services: server.services).testLive { client in try await body(server, client) }
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    func stop() async throws {
        try await services.shutdown()
        try await services.state.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A response read as JSON.
struct JSONResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var detail: String? { object["detail"] as? String }
    subscript(key: String) -> Any? { object[key] }
    func string(_ key: String) -> String? { object[key] as? String }
}

extension LiveTestClient {
    /// Sends `body` (a JSON object, or raw text) with an optional bearer token and returns the response as JSON.
    func send(_ method: HTTPRequest.Method, _ uri: String, json body: [String: Any]? = nil, raw: String? = nil, token: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> JSONResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        } else if let raw {
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
            buffer = ByteBuffer(string: raw)
        }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            JSONResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }

    /// Signs in as the seeded admin and returns the session token.
    func adminToken() async throws -> String {
        let response = try await send(.post, "/auth/token", json: ["email": TestServer.adminEmail, "password": TestServer.adminPassword])
        guard let token = response.string("access_token") else { throw TestFailure("admin login failed: \(response.status) \(response.text)") }
        return token
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestServer {
    /// A POST on a connection of its own to the test server at `port` (the live client's `port`), for requests sent at
    /// once; waits up to two minutes, so a loaded machine slows the test rather than failing it. Returns the status.
    static func post(port: Int, _ path: String, body: Data, headers: [String: String] = ["Content-Type": "application/json"]) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 120
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
