// The caller's stack over `StackService`: `/api/stack`, `/api/stack/browse`, subscribing and leaving, as upstream.
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct StackRoutes {
    let services: ServerServices
    var stack: StackService { services.domain.stack }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/stack") { request, context in
            try await stack.listing(type: request.uri.queryParameters.get("type"), browse: false, for: try context.caller())
        }
        router.get("/api/stack/browse") { request, context in
            try await stack.listing(type: request.uri.queryParameters.get("type"), browse: true, for: try context.caller())
        }
        router.post("/api/stack/subscribe") { request, context in
            try await stack.subscribe(try await request.decodeJSON(StackSubscribeRequest.self, context: context), for: try context.caller())
        }
        router.delete("/api/stack/subscription/{type}/{id}") { _, context -> HTTPResponse.Status in
            try await stack.unsubscribe(type: try context.pathParameter("type"), id: try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
    }
}
