// The request pipeline: request ids, version headers, and JSON error bodies that never leak internals.
import AgnesCore
import AgnesDomain
import AgnesState
@testable import AgnesServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

struct SecretFailure: Error { let secret = "do-not-leak-me" }

/// A router with the pipeline and routes that fail in each way.
func pipelineTestApplication() -> some ApplicationProtocol {
    let router = Router(context: AgnesRequestContext.self)
    router.add(middleware: RequestPipelineMiddleware())
    router.get("/api/boom") { _, _ -> String in throw SecretFailure() }
    router.get("/api/teapot") { _, _ -> String in throw ServiceError(.conflict, "Table already registered") }
    router.get("/api/ok") { _, _ in "ok" }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
}

@Suite("request pipeline")
struct RequestPipelineTests {
    @Test("every response carries an x-request-id; a plain one sent by the client is kept, others are replaced")
    func requestIds() async throws {
        try await pipelineTestApplication().testLive { client in
            try await client.execute(uri: "/api/ok", method: .get) { response in
                let id = try #require(response.headers[HTTPField.Name("x-request-id")!])
                #expect(UUID(uuidString: id) != nil)
                #expect(response.headers[HTTPField.Name("X-Agnes-Latest-Version")!] == AgnesVersion.current)
            }
            try await client.execute(uri: "/api/ok", method: .get, headers: [HTTPField.Name("x-request-id")!: "abc-123.x_y"]) { response in
                #expect(response.headers[HTTPField.Name("x-request-id")!] == "abc-123.x_y")
            }
            try await client.execute(uri: "/api/ok", method: .get, headers: [HTTPField.Name("x-request-id")!: "<script>alert(1)</script>"]) { response in
                #expect(response.headers[HTTPField.Name("x-request-id")!] != "<script>alert(1)</script>")
            }
        }
    }

    @Test("Server-Timing gives the server's time in milliseconds with three decimals")
    func serverTiming() {
        #expect(RequestPipelineMiddleware.serverTiming(.microseconds(1_234_567)) == "app;dur=1234.567")
        #expect(RequestPipelineMiddleware.serverTiming(.microseconds(5)) == "app;dur=0.005")
        #expect(RequestPipelineMiddleware.serverTiming(.milliseconds(12)) == "app;dur=12.000")
        #expect(RequestPipelineMiddleware.serverTiming(.nanoseconds(999)) == "app;dur=0.000")
    }

    @Test("an unknown path is a JSON 404 with detail Not Found")
    func notFound() async throws {
        try await pipelineTestApplication().testLive { client in
            try await client.execute(uri: "/api/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"detail":"Not Found"}"#)
                #expect(response.headers[HTTPField.Name("x-request-id")!] != nil)
            }
        }
    }

    @Test("an API error answers with its status and detail")
    func apiError() async throws {
        try await pipelineTestApplication().testLive { client in
            try await client.execute(uri: "/api/teapot", method: .get) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body) == #"{"detail":"Table already registered"}"#)
            }
        }
    }

    @Test("an unexpected error is a 500 that carries the request id and nothing of the error")
    func internalError() async throws {
        try await pipelineTestApplication().testLive { client in
            try await client.execute(uri: "/api/boom", method: .get, headers: [HTTPField.Name("x-request-id")!: "req-42"]) { response in
                #expect(response.status == .internalServerError)
                let body = String(buffer: response.body)
                #expect(body == #"{"detail":"Internal server error","request_id":"req-42"}"#)
                #expect(!body.contains("do-not-leak-me") && !body.contains("SecretFailure"))
            }
        }
    }
}
