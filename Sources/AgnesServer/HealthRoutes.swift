// `GET /api/health`: a cheap liveness answer with the versions of Agnes and DuckDB.
import AgnesCore
import DuckDB
import Hummingbird

extension HealthStatus: ResponseEncodable {}

/// Routes that report the server's health.
enum HealthRoutes {
    static func register(on router: Router<BasicRequestContext>) {
        router.get("/api/health") { _, _ in
            HealthStatus(status: "ok", version: AgnesVersion.current, duckdb: Database.libraryVersion)
        }
    }
}
