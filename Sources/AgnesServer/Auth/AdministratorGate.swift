// The operations the API documents as for administrators answer 403 to anyone else before their handler reads a path
// parameter, a query parameter or the body: a caller who may not use an operation learns nothing from what their input
// would have done (no 400 for a malformed id, no 404 for an unknown one). The rule is `Identity.requireAdmin`, which
// the services check again; this gate only applies it first, to every operation `APIDescription` marks `.admin`.
import AgnesDomain
import Hummingbird

struct AdministratorGate: RouterMiddleware {
    /// The methods of every administrators' operation, by path as the router names its endpoints (`/x/{id}`).
    static let operations: [String: Set<String>] = APIDescription.operations.filter { $0.access == .admin }
        .reduce(into: [:]) { $0[$1.path, default: []].insert($1.method) }

    func handle(_ request: Request, context: AgnesRequestContext,
                next: (Request, AgnesRequestContext) async throws -> Response) async throws -> Response {
        if let endpoint = context.endpointPath, Self.operations[endpoint]?.contains(request.method.rawValue) == true {
            try context.requireIdentity().requireAdmin()
        }
        return try await next(request, context)
    }
}
