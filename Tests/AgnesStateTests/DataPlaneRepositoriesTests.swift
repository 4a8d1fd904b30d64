// Registry, sync state and history, data sources, profiles, metrics, uploads and templates.
import AgnesAPI
@testable import AgnesState
import Foundation
import Testing

@Suite("data plane state")
struct DataPlaneRepositoriesTests {
    @Test("a registry upsert updates the table but keeps who registered it", arguments: StateBackendUnderTest.all)
    func registryUpsert(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let registry = RegistryRepository(store: store)
            let first = try await registry.upsert(RegisteredTable(id: "orders", name: "Orders", sourceName: "shop", primaryKey: ["id"], registeredBy: "alice"))
            #expect(first.primaryKey == ["id"] && first.registeredBy == "alice" && first.queryMode == .local)
            let second = try await registry.upsert(RegisteredTable(id: "orders", name: "All orders", sourceName: "shop", syncStrategy: .incremental,
                                                                   incrementalColumn: "updated_at", registeredBy: "bob"))
            #expect(second.name == "All orders" && second.syncStrategy == .incremental)
            #expect(second.registeredBy == "alice")
            #expect(second.registeredAt == first.registeredAt)
            await #expect(throws: StateError.self) { try await registry.upsert(RegisteredTable(id: "Bad-Id", name: "x")) }
            await #expect(throws: StateError.self) {
                try await registry.upsert(RegisteredTable(id: "orders2", name: "All orders"))
            }
        }
    }

    @Test("an upsert writes only what changed, returns what is stored, and writes nothing when nothing changed", arguments: StateBackendUnderTest.all)
    func registryUpsertChanges(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let registry = RegistryRepository(store: store)
            let first = try await registry.upsert(RegisteredTable(id: "orders", name: "Orders", sourceName: "shop", primaryKey: ["id"],
                                                                  description: "v1", registeredBy: "alice"))
            var edit = first
            edit.description = "v2"
            edit.folder = "sales"
            edit.bucket = nil
            let second = try await registry.upsert(edit)
            #expect(second == (try await registry.get(id: "orders")))
            #expect(second.description == "v2" && second.folder == "sales" && second.primaryKey == ["id"] && second.name == "Orders")
            #expect(second.updatedAt >= first.updatedAt)
            edit.primaryKey = ["id", "line"]
            edit.description = nil
            let third = try await registry.upsert(edit)
            #expect(third == (try await registry.get(id: "orders")))
            #expect(third.primaryKey == ["id", "line"] && third.description == nil && third.registeredBy == "alice")
            let unchanged = try await registry.upsert(edit)
            #expect(unchanged == third)
            #expect(RegistryRepository.changedColumns(from: third, to: edit).isEmpty)
        }
    }

    @Test("unregistering a table removes its state, profile, notes and table grants", arguments: StateBackendUnderTest.all)
    func unregister(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let registry = RegistryRepository(store: store)
            try await registry.upsert(RegisteredTable(id: "orders", name: "Orders"))
            let group = try await GroupsRepository(store: store).create(name: "Ops", createdBy: nil)
            _ = try await GrantsRepository(store: store).grant(groupId: group.id, type: .table, resourceId: "orders", assignedBy: nil)
            try await ProfilesRepository(store: store).save(tableId: "orders", profile: #"{"rows": 3}"#)
            try await SyncStateRepository(store: store).record(tableId: "orders", SyncResult(startedAt: Date(), finishedAt: Date(), trigger: "manual",
                                                               outcome: .succeeded(rows: 3, bytes: 10, columns: 2, sha256: nil, md5: nil, schemaHash: nil, files: nil)))
            try await registry.unregister(id: "orders")
            #expect(try await registry.list().isEmpty)
            #expect(try await GrantsRepository(store: store).list(groupId: group.id).isEmpty)
            #expect(try await ProfilesRepository(store: store).profile(tableId: "orders") == nil)
            #expect(try await SyncStateRepository(store: store).state(tableId: "orders") == nil)
        }
    }

    @Test("each sync writes a history row, history is newest first, and a failed sync keeps the last good figures", arguments: StateBackendUnderTest.all)
    func syncStateAndHistory(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let sync = SyncStateRepository(store: store)
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            try await sync.record(tableId: "orders", SyncResult(startedAt: start, finishedAt: start.addingTimeInterval(2), trigger: "schedule",
                                                                outcome: .succeeded(rows: 1_000, bytes: 4_096, columns: 5, sha256: "abc", md5: "def",
                                                                                    schemaHash: "s1", files: #"[{"path":"orders.parquet"}]"#)))
            try await sync.record(tableId: "orders", SyncResult(startedAt: start.addingTimeInterval(60), finishedAt: start.addingTimeInterval(61),
                                                                trigger: "manual", outcome: .failed("source unreachable")))
            let state = try #require(try await sync.state(tableId: "orders"))
            #expect(state.status == .error && state.error == "source unreachable")
            #expect(state.rows == 1_000 && state.fileSizeBytes == 4_096 && state.sha256 == "abc" && state.columns == 5)
            #expect(state.lastSync == start.addingTimeInterval(2))

            let history = try await sync.history(tableId: "orders")
            #expect(history.map(\.status) == [.error, .ok])
            #expect(history.map(\.trigger) == ["manual", "schedule"])
            #expect(history.last?.durationMs == 2_000 && history.last?.rows == 1_000)
            #expect(history.first?.error == "source unreachable")

            try await sync.record(tableId: "orders", SyncResult(startedAt: start.addingTimeInterval(120), finishedAt: start.addingTimeInterval(121),
                                                                trigger: "manual", outcome: .succeeded(rows: 1_001, bytes: 4_100, columns: 5, sha256: "x",
                                                                                                       md5: nil, schemaHash: "s1", files: nil)))
            let recovered = try #require(try await sync.state(tableId: "orders"))
            #expect(recovered.status == .ok && recovered.error == nil && recovered.rows == 1_001)
            #expect(try await sync.history(tableId: "orders", limit: 5_000).count == 3)
            #expect(try await sync.history(limit: 1).count == 1)
        }
    }

    @Test("data sources store config as JSON and only the names of secret variables", arguments: StateBackendUnderTest.all)
    func dataSources(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let sources = DataSourcesRepository(store: store)
            let source = try await sources.upsert(name: "warehouse", type: "postgres", config: #"{"host": "127.0.0.1", "port": 5432}"#,
                                                  secretEnv: ["PG_PASSWORD"])
            #expect(source.secretEnv == ["PG_PASSWORD"] && source.type == "postgres")
            await #expect(throws: StateError.self) { try await sources.upsert(name: "bad", type: "files", config: "[1]", secretEnv: []) }
            #expect(try await sources.list().map(\.name) == ["warehouse"])
            try await sources.delete(name: "warehouse")
            #expect(try await sources.get(name: "warehouse") == nil)
        }
    }

    @Test("profiles, column notes, metrics, uploads and templates round-trip", arguments: StateBackendUnderTest.all)
    func catalogRecords(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let profiles = ProfilesRepository(store: store)
            try await profiles.save(tableId: "orders", profile: #"{"rows":10}"#)
            try await profiles.save(tableId: "orders", profile: #"{"rows":11}"#)
            #expect(try await profiles.profile(tableId: "orders")?.profile == #"{"rows":11}"#)
            try await profiles.describe(tableId: "orders", column: "amount", description: "Gross, in EUR", by: "u1")
            #expect(try await profiles.columnNotes(tableId: "orders").map(\.description) == ["Gross, in EUR"])

            let metrics = MetricsRepository(store: store)
            let revenue = try await metrics.upsert(MetricDefinition(name: "revenue", displayName: "Revenue", category: "finance",
                                                                   tables: ["orders"], expression: "sum(amount)", synonyms: ["sales"]))
            #expect(revenue.id == "finance/revenue" && revenue.synonyms == ["sales"])
            #expect(try await metrics.list(category: "finance").map(\.id) == ["finance/revenue"])
            #expect(try await metrics.list(category: "ops").isEmpty)

            let uploads = UploadsRepository(store: store)
            try await uploads.record(userId: "u1", kind: .session, name: "s.jsonl", bytes: 42, sha256: "00")
            #expect(try await uploads.list(userId: "u1").map(\.kind) == [.session])

            let templates = TemplatesRepository(store: store)
            try await templates.set(key: "claude_md", content: "# Hello", by: "admin")
            #expect(try await templates.get(key: "claude_md")?.content == "# Hello")
            try await templates.reset(key: "claude_md")
            #expect(try await templates.get(key: "claude_md") == nil)
        }
    }
}
