// The operations the API documents as for administrators answer 403 to anyone else before their handler reads a path
// parameter, a query parameter or the body: a caller who may not use an operation learns nothing from what their input
// would have done (no 400 for a malformed id, no 404 for an unknown one). The rule is `Identity.requireAdmin`, which
// the services check again; this gate only applies it first, to every operation `APIDescription` marks `.admin`.
import AgnesDomain
import Hummingbird

struct AdministratorGate: RouterMiddleware {
    /// "METHOD /path/{parameter}" of every administrators' operation, as the router names its endpoints.
    static let operations: Set<String> = Set(APIDescription.operations.filter { $0.access == .admin }.map { "\($0.method) \($0.path)" })

    func handle(_ request: Request, context: AgnesRequestContext,
                next: (Request, AgnesRequestContext) async throws -> Response) async throws -> Response {
        if let endpoint = context.endpointPath, Self.operations.contains("\(request.method.rawValue) \(endpoint)") {
            try context.requireIdentity().requireAdmin()
        }
        return try await next(request, context)
    }
}
