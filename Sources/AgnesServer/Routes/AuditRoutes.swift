// `GET /api/admin/audit` over `AuditService` (admins).
import AgnesAPI
import AgnesDomain
import Hummingbird

struct AuditRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/audit") { request, context in
            let parameters = request.uri.queryParameters
            let limit = try parameters.get("limit").map { text -> Int in
                guard let value = Int(text) else { throw ServiceError.badRequest("limit must be a positive integer") }
                return value
            }
            let filter = AuditService.Filter(userId: parameters.get("user_id"), action: parameters.get("action"),
                                             actionPrefix: parameters.get("action_prefix"), resource: parameters.get("resource"),
                                             result: parameters.get("result"), since: parameters.get("since"), until: parameters.get("until"),
                                             cursor: parameters.get("cursor"), limit: limit)
            return try await services.auditService.read(filter, for: try context.caller())
        }
    }
}
