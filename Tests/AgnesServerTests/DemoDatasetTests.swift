// The demo dataset of `make run`: seeded once into an empty data directory, synced and served; never over real data.
import AgnesAPI
@testable import AgnesServer
import AgnesData
import AgnesDomain
import AgnesState
import Foundation
import Testing

@Suite("demo dataset")
struct DemoDatasetTests {
    @Test("an empty data directory gets five synced demo tables (100,000+ rows) and the Analysts group; a second start adds nothing")
    func seedsOnce() async throws {
        let server = try await TestServer.start()
        do {
            try await check(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    func check(_ server: TestServer) async throws {
        #expect(try await DemoDataset.seedIfEmpty(server.services.domain))
        let states = try await SyncStateRepository(store: server.services.state).states()
        #expect(states.map(\.tableId).sorted() == ["customers", "order_items", "orders", "products", "web_sessions"])
        #expect(states.allSatisfy { $0.status == .ok })
        #expect(states.reduce(0) { $0 + ($1.rows ?? 0) } > 100_000)
        let engine = try #require(server.services.dataPlane.orchestrator.engine)
        #expect(try await engine.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM web_sessions WHERE pages >= $1", 1) } == 30_000)
        let sessions = try #require(states.first { $0.tableId == "web_sessions" })
        let parts = try JSONDecoder().decode([ExtractFile].self, from: Data((sessions.files ?? "[]").utf8))
        #expect(parts.compactMap(\.part) == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"])
        let analysts = try #require(try await server.services.groups.find(name: "Analysts"))
        #expect(try await server.services.grants.list(groupId: analysts.id).map(\.resourceId) == ["sales"])
        #expect(try await MetricsRepository(store: server.services.state).list().count == 6)
        let knowledge = try await KnowledgeRepository(store: server.services.state).bundle()
        #expect(knowledge.map(\.status) == [.mandatory, .approved])
        #expect(try await DemoDataset.seedIfEmpty(server.services.domain) == false)
    }
}
