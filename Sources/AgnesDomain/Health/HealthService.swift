// The server's health: a cheap liveness answer with the versions of Agnes and DuckDB and the state schema status, and
// a detailed one (any signed-in user) with data freshness of the tables the caller may read, id conflicts between
// sources, sources the last rebuild could not read (administrators only), and users.
import AgnesAPI
import AgnesCore
import AgnesData
import AgnesState
import DuckDB
import Foundation

/// The use cases of health and version reporting.
public struct HealthService: Sendable {
    let domain: Domain

    /// Tables not synced for longer than this are reported as stale.
    static let staleAfter: TimeInterval = 24 * 3600

    /// Whether the state database answers at the schema version this server expects.
    public static func status(of state: StateStore) async -> HealthStatus {
        let expected = StateSchema.migrator.latestVersion
        guard let current = try? await StateSchema.appliedVersion(of: state) else {
            return HealthStatus(status: "unhealthy", version: AgnesVersion.current, duckdb: Database.libraryVersion, dbSchema: "unreachable",
                                expected: expected)
        }
        let matches = current == expected
        return HealthStatus(status: matches ? "ok" : "unhealthy", version: AgnesVersion.current, duckdb: Database.libraryVersion,
                            dbSchema: matches ? "ok" : "mismatch", current: current, expected: expected)
    }

    /// Build facts from the deployment's environment (`AGNES_VERSION`, `RELEASE_CHANNEL`, `AGNES_TAG`,
    /// `AGNES_COMMIT_SHA`, `AGNES_DEPLOYED_AT`), defaulting as upstream does.
    public static func version(environment: [String: String]) -> VersionInfo {
        VersionInfo(version: environment["AGNES_VERSION"] ?? AgnesVersion.current, channel: environment["RELEASE_CHANNEL"] ?? "dev",
                    imageTag: environment["AGNES_TAG"] ?? "unknown", commitSha: environment["AGNES_COMMIT_SHA"] ?? "unknown",
                    schemaVersion: StateSchema.migrator.latestVersion, deployedAt: environment["AGNES_DEPLOYED_AT"])
    }

    /// Every part's status, as far as the caller may know it.
    public func detailed(environment: [String: String], for caller: Caller) async throws -> DetailedHealth {
        let schema = await Self.status(of: domain.state)
        let reachable = schema.dbSchema != "unreachable"
        var data = DetailedHealth.DataHealth(status: "ok", tables: 0, totalRows: 0, staleTables: [])
        let isAdmin = caller.identity.isAdmin
        var users = DetailedHealth.UsersHealth(status: "ok", count: isAdmin ? 0 : nil, active: isAdmin ? 0 : nil)
        if reachable {
            // What a caller learns of tables is limited to the ones they may read (administrators: all).
            let tables = try await domain.access.readableTables(for: caller.identity)
            let states = try await domain.catalogSnapshot().states
            let now = Date()
            data.tables = tables.count
            data.totalRows = tables.reduce(0) { $0 + (states[$1.id]?.rows ?? 0) }
            data.staleTables = tables.filter { table in
                guard let last = states[table.id]?.lastSync else { return true }
                return now.timeIntervalSince(last) > Self.staleAfter
            }.map(\.id)
            let readable = Set(tables.map(\.id))
            if let rebuild = domain.dataPlane.lastRebuild {
                data.conflicts = rebuild.conflicts.filter { readable.contains($0.key) }
                if caller.identity.isAdmin { data.unreadableSources = rebuild.unreadableSources.mapValues(PublicErrorMessage.withoutPaths) }
            }
            data.status = data.staleTables.isEmpty && data.conflicts.isEmpty && data.unreadableSources.isEmpty ? "ok" : "warning"
            let counts = try await UsersRepository(store: domain.state).counts()
            // An operator check comes to an analyst as its status alone.
            users = .init(status: counts.active > 0 ? "ok" : "warning", count: isAdmin ? counts.total : nil, active: isAdmin ? counts.active : nil)
        }
        let broken = !reachable || schema.status != "ok"
        let overall = broken ? "unhealthy" : (data.status == "ok" && users.status == "ok" ? "healthy" : "degraded")
        let overallAnalyst = broken ? "unhealthy" : (data.status == "ok" ? "healthy" : "degraded")
        var schemaCheck = schema
        schemaCheck.audience = "operator"
        return DetailedHealth(status: overall, overallAnalyst: overallAnalyst, callerRole: isAdmin ? "admin" : "analyst",
                              version: Self.version(environment: environment), timestamp: Date(),
                              services: .init(duckdbState: .init(status: reachable ? "ok" : "error", audience: "operator"), dbSchema: schemaCheck,
                                              data: data, users: users))
    }
}
