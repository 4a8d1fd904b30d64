// `POST /api/query` over `QueryService` (grants, guard, caps, time limit and audit live there).
import AgnesAPI
import AgnesDomain
import Hummingbird

struct QueryRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/query") { request, context in
            let body = try await request.decodeJSON(QueryRequest.self, context: context)
            let json = try await services.domain.query.runJSON(body, for: try context.caller())
            context.audit.add(params: ["bytes": String(json.count)])
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
    }
}
