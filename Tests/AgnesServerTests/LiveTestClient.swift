// In-process server tests over real HTTP: the application listens on 127.0.0.1 on a port of its own, and the test
// talks to it through HummingbirdTesting's `TestClient` on one keep-alive connection. HummingbirdTesting's `.live`
// framework does the same with a fixed 20 s read timeout, which a full `make test` on two cores has outlasted on a
// request that takes milliseconds alone; here a request may wait two minutes, so load slows a test, not fails it.
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle

/// A client of a live test server, one request at a time.
struct LiveTestClient: Sendable {
    /// A response with its whole body.
    struct Response: Sendable {
        let head: HTTPResponse
        let body: ByteBuffer
        var status: HTTPResponse.Status { head.status }
        var headers: HTTPFields { head.headerFields }
    }

    /// How long a request may go without a byte of its answer.
    static let readTimeout: Duration = .seconds(120)

    let client: TestClient
    let port: Int?

    /// Sends a request and hands the whole response to `testCallback`.
    @discardableResult
    func execute<Return>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                         testCallback: (Response) async throws -> Return = { $0 }) async throws -> Return {
        var headers = headers
        headers[.connection] = "keep-alive"
        let request = TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: body)
        let response = try await client.execute(request)
        return try await testCallback(Response(head: response.head, body: response.body ?? ByteBuffer()))
    }
}

extension ApplicationProtocol {
    /// Runs the application on a free port of 127.0.0.1, runs `test` with a client connected to it, then stops both.
    func testLive<Value: Sendable>(_ test: @Sendable (LiveTestClient) async throws -> Value) async throws -> Value {
        let listening = LiveTestApplication(base: self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [listening], logger: logger))
            group.addTask {
                defer { listening.ports.finish() }
                try await serviceGroup.run()
            }
            guard let port = await listening.port() else {
                try await group.waitForAll()
                throw TestFailure("the test server stopped before it listened")
            }
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: LiveTestClient.readTimeout))
            client.connect()
            do {
                let value = try await test(LiveTestClient(client: client, port: port))
                try await client.shutdown()
                await serviceGroup.triggerGracefulShutdown()
                return value
            } catch {
                try? await client.shutdown()
                await serviceGroup.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// An application as it is, that reports the port it listens on.
private struct LiveTestApplication<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder

    let base: Base
    let ports: AsyncStream<Int>.Continuation
    private let stream: AsyncStream<Int>

    init(base: Base) {
        self.base = base
        (stream, ports) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The port, once the server listens; nil when it stopped first.
    func port() async -> Int? { await stream.first { _ in true } }

    var responder: Responder { get async throws { try await base.responder } }
    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { base.processesRunBeforeServerStart }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
        if let port = channel.localAddress?.port { ports.yield(port) }
        ports.finish()
    }
}
