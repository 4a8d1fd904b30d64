// `GET /api/health`: a cheap liveness answer with the versions of Agnes and DuckDB and the state schema status.
// `GET /api/health/detailed` (any signed-in user): the state database, data freshness (of the tables the caller may
// read), id conflicts between sources, sources the last rebuild could not read (administrators only), and users.
import AgnesAPI
import AgnesCore
import AgnesData
import AgnesState
import DuckDB
import Foundation
import Hummingbird
import Synchronization

extension HealthStatus: ResponseEncodable {}

/// Routes that report the server's health.
enum HealthRoutes {
    /// Tables not synced for longer than this are reported as stale.
    static let staleAfter: TimeInterval = 24 * 3600

    /// How long one answer of `GET /api/health` is reused: probes may poll it thousands of times a second, and the
    /// state database need not be asked more than once a second for that.
    static let answerLifetime: Duration = .seconds(1)

    static func register(on router: Router<AgnesRequestContext>, state: StateStore) {
        let recent = Mutex<(at: ContinuousClock.Instant, status: HealthStatus)?>(nil)
        router.get("/api/health") { _, context -> HealthStatus in
            context.audit.skip()
            let now = ContinuousClock.now
            if let last = recent.withLock({ $0 }), now - last.at < answerLifetime { return last.status }
            let answer = await status(of: state)
            recent.withLock { $0 = (now, answer) }
            return answer
        }
    }

    static func status(of state: StateStore) async -> HealthStatus {
        let expected = StateSchema.migrator.latestVersion
        guard let current = try? await state.read({ try $0.scalar(Int64.self, "SELECT coalesce(max(version), 0) FROM schema_migrations") }) else {
            return HealthStatus(status: "unhealthy", version: AgnesVersion.current, duckdb: Database.libraryVersion,
                                dbSchema: "unreachable", expected: expected)
        }
        let matches = Int(current) == expected
        return HealthStatus(status: matches ? "ok" : "unhealthy", version: AgnesVersion.current, duckdb: Database.libraryVersion,
                            dbSchema: matches ? "ok" : "mismatch", current: Int(current), expected: expected)
    }

    struct DetailedHealth: ResponseEncodable {
        struct Service: Encodable {
            var status: String
            var detail: String?
        }

        struct DataHealth: Encodable {
            var status: String
            var tables: Int
            var totalRows: Int64
            var staleTables: [String]
            /// Table ids offered by more than one source with none named in the registry: served by none of them.
            var conflicts: [String: [String]] = [:]
            /// Sources whose extract or live connection could not be read at the last rebuild, with the reason.
            var unreadableSources: [String: String] = [:]
            enum CodingKeys: String, CodingKey {
                case status, tables, conflicts
                case totalRows = "total_rows"
                case staleTables = "stale_tables"
                case unreadableSources = "unreadable_sources"
            }
        }

        struct UsersHealth: Encodable {
            var status: String
            var count: Int
            var active: Int
        }

        struct Services: Encodable {
            var duckdbState: Service
            var dbSchema: HealthStatus
            var data: DataHealth
            var users: UsersHealth
            enum CodingKeys: String, CodingKey {
                case data, users
                case duckdbState = "duckdb_state"
                case dbSchema = "db_schema"
            }
        }

        var status: String
        var version: VersionInfo
        var timestamp: Date
        var services: Services

        enum CodingKeys: String, CodingKey {
            case status, timestamp, services
        }

        func encode(to encoder: any Encoder) throws {
            try version.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(status, forKey: .status)
            try container.encode(timestamp, forKey: .timestamp)
            try container.encode(services, forKey: .services)
        }
    }

    static func registerDetailed(on router: RouterGroup<AgnesRequestContext>, services: ServerServices, environment: [String: String]) {
        router.get("/api/health/detailed") { _, context -> DetailedHealth in
            _ = try context.requireIdentity()
            context.audit.skip()
            let schema = await status(of: services.state)
            let reachable = schema.dbSchema != "unreachable"
            var data = DetailedHealth.DataHealth(status: "ok", tables: 0, totalRows: 0, staleTables: [])
            var users = DetailedHealth.UsersHealth(status: "ok", count: 0, active: 0)
            if reachable {
                // What a caller learns of tables is limited to the ones they may read (administrators: all).
                let tables = try await services.domain.access.readableTables(for: try context.requireIdentity())
                let states = Dictionary(uniqueKeysWithValues: try await SyncStateRepository(store: services.state).states().map { ($0.tableId, $0) })
                let now = Date()
                data.tables = tables.count
                data.totalRows = tables.reduce(0) { $0 + (states[$1.id]?.rows ?? 0) }
                data.staleTables = tables.filter { table in
                    guard let last = states[table.id]?.lastSync else { return true }
                    return now.timeIntervalSince(last) > staleAfter
                }.map(\.id)
                let readable = Set(tables.map(\.id))
                if let rebuild = services.dataPlane.lastRebuild {
                    data.conflicts = rebuild.conflicts.filter { readable.contains($0.key) }
                    if try context.requireIdentity().isAdmin { data.unreadableSources = rebuild.unreadableSources.mapValues(PublicErrorMessage.withoutPaths) }
                }
                data.status = data.staleTables.isEmpty && data.conflicts.isEmpty && data.unreadableSources.isEmpty ? "ok" : "warning"
                let counts = try await services.users.counts()
                users = .init(status: counts.active > 0 ? "ok" : "warning", count: counts.total, active: counts.active)
            }
            let overall = !reachable || schema.status != "ok" ? "unhealthy" : (data.status == "ok" && users.status == "ok" ? "healthy" : "degraded")
            return DetailedHealth(status: overall, version: VersionInfo.current(environment: environment), timestamp: Date(),
                                  services: .init(duckdbState: .init(status: reachable ? "ok" : "error"), dbSchema: schema, data: data, users: users))
        }
    }
}
