// What the local protocol servers of the tests share (the OpenID provider, Keboola's Storage API, a JSON API, Jira's
// search): a Hummingbird router served on 127.0.0.1 at a free port while a body runs, and JSON answers.
import Foundation
import Hummingbird

enum LocalHTTPServer {
    /// Serves `router` on 127.0.0.1; `started` gets the base URL once it listens; `body` runs while it serves.
    static func run(_ router: Router<BasicRequestContext>, started: @escaping @Sendable (String) -> Void,
                    isReady: @Sendable () -> Bool, _ body: () async throws -> Void) async throws {
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { channel in
            started("http://127.0.0.1:\(channel.localAddress?.port ?? 0)")
        })
        let service = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { service.cancel() }
        for _ in 0..<200 where !isReady() { try await Task.sleep(for: .milliseconds(10)) }
        try await body()
    }

    /// A JSON answer of `value` (made with JSONSerialization).
    static func json(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: value))))
    }
}
