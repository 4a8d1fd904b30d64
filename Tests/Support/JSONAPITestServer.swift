// A JSON HTTP API for the `http_json` connector's tests, paging each of the four common ways: `/v1/orders` with
// `Link: <…>; rel="next"` headers, `/v1/customers` with the next URL in the body (`links.next`), `/v1/events` by
// `offset`/`limit`, `/v1/tickets` by a cursor (`meta.next_cursor` sent back as `cursor`, with `updated_since` to ask
// for changed records only), and `/v1/escape`, whose next link points at another host. Every call needs
// `Authorization: Bearer <token>`.
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

public final class JSONAPITestServer: Sendable {
    public static let token = "api-secret-7f1d"
    struct State: Sendable {
        var base = ""
        var tickets: [[String: String]] = (1...7).map { ["id": String($0), "status": "open", "updated": "2026-01-0\($0)T00:00:00Z"] }
        var requests: [String] = []
    }

    let state = Mutex(State())

    public init() {}

    public var base: String { state.withLock { $0.base } }
    /// Every request's path and query, in order.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Changes ticket `id` (or adds it) with `updated` as its change time.
    public func setTicket(id: Int, status: String, updated: String) {
        state.withLock { state in
            state.tickets.removeAll { $0["id"] == String(id) }
            state.tickets.append(["id": String(id), "status": status, "updated": updated])
        }
    }

    /// Runs the API on 127.0.0.1 while `body` runs.
    public func run(_ body: @Sendable (JSONAPITestServer) async throws -> Void) async throws {
        let router = Router()
        routes(on: router)
        try await LocalHTTPServer.run(router, started: { [self] base in state.withLock { $0.base = base } }, isReady: { [self] in !base.isEmpty }) {
            try await body(self)
        }
    }

    static func order(_ id: Int) -> [String: Any] {
        ["id": id, "amount": Double(id) * 2.5, "customer": ["name": "customer \(id % 3)"], "tags": id % 2 == 0 ? ["even"] : []]
    }

    func routes(on router: Router<BasicRequestContext>) {
        let api = router.group("v1").add(middleware: BearerCheck(server: self))
        api.get("orders") { [self] request, _ in
            let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 1
            let ids = Array(((page - 1) * 5 + 1)...min(page * 5, 12))
            var response = try Self.json(ids.map(Self.order))
            if page < 3 { response.headers[HTTPField.Name("Link")!] = "<\(base)/v1/orders?page=\(page + 1)>; rel=\"next\", <\(base)/v1/orders?page=1>; rel=\"first\"" }
            return response
        }
        api.get("customers") { [self] request, _ in
            let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 1
            let items = page == 1 ? [["id": 1, "name": "Ann"], ["id": 2, "name": "Bob"]] : [["id": 3, "name": "Cy"]]
            return try Self.json(["data": ["items": items], "links": ["next": page == 1 ? "\(base)/v1/customers?page=2" : ""]])
        }
        api.get("events") { request, _ in
            let offset = Int(request.uri.queryParameters.get("offset") ?? "0") ?? 0, limit = Int(request.uri.queryParameters.get("limit") ?? "10") ?? 10
            let ids = Array(stride(from: offset, to: min(offset + limit, 23), by: 1))
            return try Self.json(["events": ids.map { ["id": $0, "kind": $0 % 2 == 0 ? "view" : "click"] }])
        }
        api.get("tickets") { [self] request, _ in
            let since = request.uri.queryParameters.get("updated_since")
            let all = state.withLock { $0.tickets }.filter { since == nil || $0["updated"]! > since! }.sorted { Int($0["id"]!)! < Int($1["id"]!)! }
            let start = Int(request.uri.queryParameters.get("cursor") ?? "0") ?? 0
            let page = Array(all.dropFirst(start).prefix(3))
            let records: [[String: Any]] = page.map { ["id": Int($0["id"]!)!, "status": $0["status"]!, "updated": $0["updated"]!] }
            return try Self.json(["results": records, "meta": ["next_cursor": start + 3 < all.count ? String(start + 3) : ""]])
        }
        api.get("escape") { _, _ in
            try Self.json(["data": [["id": 1]], "next": "http://169.254.169.254/latest/meta-data/"])
        }
    }

    static func json(_ value: Any) throws -> Response { try LocalHTTPServer.json(value) }

    struct BearerCheck: RouterMiddleware {
        let server: JSONAPITestServer
        func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            server.state.withLock { $0.requests.append(request.uri.description) }
            guard request.headers[.authorization] == "Bearer \(JSONAPITestServer.token)" else {
                return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":"unauthorized"}"#)))
            }
            return try await next(request, context)
        }
    }
}
