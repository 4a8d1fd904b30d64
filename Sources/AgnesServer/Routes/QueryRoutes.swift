// `POST /api/query` over `QueryService` (grants, guard, caps, time limit and audit live there).
import AgnesAPI
import AgnesDomain
import Hummingbird

struct QueryRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/query") { request, context in
            let body = try await request.decodeJSON(QueryRequest.self, context: context)
            let data = try JSONCoding.encoder.encode(try await services.domain.query.run(body, for: try context.caller()))
            context.audit.add(params: ["bytes": String(data.count)])
            return data.response(status: .ok)
        }
    }
}
