// `GET /api/health`: a cheap liveness answer with the versions of Agnes and DuckDB and the state schema status.
import AgnesCore
import AgnesState
import DuckDB
import Hummingbird

extension HealthStatus: ResponseEncodable {}

/// Routes that report the server's health.
enum HealthRoutes {
    static func register(on router: Router<some RequestContext>, state: StateStore?) {
        router.get("/api/health") { _, _ -> HealthStatus in
            guard let state else {
                return HealthStatus(status: "ok", version: AgnesVersion.current, duckdb: Database.libraryVersion)
            }
            let expected = StateSchema.migrator.latestVersion
            guard let current = try? await state.read({ try $0.scalar(Int64.self, "SELECT coalesce(max(version), 0) FROM schema_migrations") }) else {
                return HealthStatus(status: "unhealthy", version: AgnesVersion.current, duckdb: Database.libraryVersion,
                                    dbSchema: "unreachable", expected: expected)
            }
            let matches = Int(current) == expected
            return HealthStatus(status: matches ? "ok" : "unhealthy", version: AgnesVersion.current, duckdb: Database.libraryVersion,
                                dbSchema: matches ? "ok" : "mismatch", current: Int(current), expected: expected)
        }
    }
}
