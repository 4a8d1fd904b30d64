// Usage telemetry and probes: `/healthz`, `/readyz` with upstream's hysteresis, the pull stamp a manifest leaves
// without writing on the request's path, and `POST /api/sync/pull-confirm` in the audit trail.
import AgnesAPI
@testable import AgnesDomain
@testable import AgnesServer
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("telemetry")
struct TelemetryTests {
    @Test("readiness flips after three failed canaries and comes back after two good ones")
    func hysteresis() {
        let probe = ReadinessProbe()
        #expect(probe.readiness.status == "ready" && !probe.readiness.canaryReady)
        probe.record(success: true)
        #expect(probe.readiness.canaryReady && probe.readiness.lastCanaryAt != nil)
        for failures in 1...2 {
            probe.record(success: false, error: "disk full")
            #expect(probe.readiness.status == "ready" && probe.readiness.consecutiveFailures == failures)
        }
        probe.record(success: false, error: "disk full")
        #expect(probe.readiness.status == "not_ready" && probe.readiness.failedChecks == ["state_write"])
        probe.record(success: true)
        #expect(probe.readiness.status == "not_ready")
        probe.record(success: false)
        probe.record(success: true)
        #expect(probe.readiness.status == "not_ready", "the successes must come in a row")
        probe.record(success: true)
        #expect(probe.readiness.status == "ready" && probe.readiness.consecutiveFailures == 0)
    }

    @Test("healthz, readyz over a real canary, pull stamps kept off the manifest's path, pull-confirm audited")
    func probesAndStamps() async throws {
        try await TestServer.run { server, client in
            let alive = try await client.send(.get, "/healthz")
            #expect(alive.status == .ok && alive.string("status") == "alive")
            let domain = server.services.domain
            await domain.readiness.probe(server.services.state)
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok && ready.string("status") == "ready" && ready["canary_ready"] as? Bool == true)
            for _ in 0..<3 { domain.readiness.record(success: false, error: "test") }
            let down = try await client.send(.get, "/readyz")
            #expect(down.status == .serviceUnavailable && down["failed_checks"] as? [String] == ["state_write"])
            for _ in 0..<2 { await domain.readiness.probe(server.services.state) }
            #expect(try await client.send(.get, "/readyz").status == .ok)

            // The manifest notes the pull in memory: no state write on its path; the batch writes it later.
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: nil, client, admin: try await client.adminToken())
            #expect(try await client.send(.get, "/api/sync/manifest", token: ana.token).status == .ok)
            let before = server.services.state.generation
            #expect(try await client.send(.get, "/api/sync/manifest", token: ana.token).status == .ok)
            #expect(server.services.state.generation == before, "a manifest GET wrote to the state database")
            #expect(try await UsageRepository(store: server.services.state).lastPulls()[ana.id] == nil)
            try await domain.pullStamps.flush(to: server.services.state)
            #expect(try await UsageRepository(store: server.services.state).lastPulls()[ana.id] != nil)
            #expect(server.services.state.generation == before, "the stamps' batch emptied the caches")

            let confirmed = try await client.send(.post, "/api/sync/pull-confirm", json: [
                "duration_ms": 420, "direct_tables": ["added": 2, "updated": 1, "removed": 0], "data_packages": ["added": 1, "updated": 0, "removed": 3],
            ], token: ana.token)
            #expect(confirmed.status == .ok && confirmed["recorded"] as? Bool == true)
            try await server.services.audit.flush()
            let admin = try await client.adminToken()
            let rows = (try await client.send(.get, "/api/admin/audit?action=sync.pull_completed", token: admin)["rows"] as? [[String: Any]]) ?? []
            let params = (rows.first?["params"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
                ?? rows.first?["params"] as? [String: String]
            #expect(params?["direct_tables_added"] == "2" && params?["data_packages_removed"] == "3" && params?["duration_ms"] == "420"
                    && params?["errors"] == "0", "\(rows)")
            #expect(try await client.send(.post, "/api/sync/pull-confirm", json: [:]).status == .unauthorized)
        }
    }

    @Test("the usage report: who pulled what and when, quiet workspaces, unused tables — administrators only, API and web page")
    func usageReport() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let state = server.services.state
            for id in ["orders", "customers", "events"] { _ = try await RegistryRepository(store: state).upsert(RegisteredTable(id: id, name: id)) }
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: nil, client, admin: admin)
            let bo = try await MemoryRoutesTests.user("bo@example.com", group: nil, client, admin: admin)
            // Ana pulled now and downloaded orders; Bo last pulled 20 days ago; someone queried events on the server.
            _ = try await client.send(.get, "/api/sync/manifest", token: ana.token)
            try await UsageRepository(store: state).stampPulls([bo.id: Date().addingTimeInterval(-20 * 86_400)])
            server.services.audit.record(AuditEntry(userId: ana.id, action: "data.download", resource: "table:orders"))
            server.services.audit.record(AuditEntry(userId: bo.id, action: "query.local", resource: "events"))
            try await server.services.audit.flush()

            #expect(try await client.send(.get, "/api/admin/usage", token: ana.token).status == .forbidden)
            let report = try await client.send(.get, "/api/admin/usage", token: admin)
            let pullers = (report["pullers"] as? [[String: Any]]) ?? []
            #expect(pullers.compactMap { $0["email"] as? String } == ["ana@example.com", "bo@example.com"], "\(pullers)")
            #expect(pullers.first?["tables_downloaded"] as? [String] == ["orders"])
            #expect((report["idle_workspaces"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["bo@example.com"])
            #expect(report["unused_tables"] as? [String] == ["customers"])
            let page = try await WebPagesTests().page(client, .get, "/admin/usage", cookie: admin)
            #expect(page.status == .ok && page.body.contains(#"data-idle="bo@example.com""#) && page.body.contains("/tables/customers"))
            #expect(try await WebPagesTests().page(client, .get, "/admin/usage", cookie: ana.token).status == .forbidden)
        }
    }
}
