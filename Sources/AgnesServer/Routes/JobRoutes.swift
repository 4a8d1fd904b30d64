// The job queue over `JobService`: `POST /api/jobs` (202 with the job), `GET /api/jobs`, `GET /api/jobs/{id}`
// (administrators and the scheduler token).
import AgnesAPI
import AgnesDomain
import Hummingbird

struct JobRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        let jobs = services.domain.jobs
        router.post("/api/jobs") { request, context in
            try await jobs.enqueue(try await request.decodeJSON(JobRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .accepted)
        }
        router.get("/api/jobs") { request, context in
            try await jobs.list(status: request.uri.queryParameters.get("status"),
                                limit: request.uri.queryParameters.get("limit").flatMap { Int($0) }, for: try context.caller())
        }
        router.get("/api/jobs/{id}") { _, context in try await jobs.get(id: try context.pathParameter("id"), for: try context.caller()) }
    }
}
