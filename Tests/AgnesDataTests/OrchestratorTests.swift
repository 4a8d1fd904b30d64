// Rebuilding the query engine from real extracts: registered tables served by id, unregistered ones not, conflicts
// reported, the engine locked down, and a swap that lets running queries finish on the old engine.
import AgnesAPI
@testable import AgnesData
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("orchestrator")
struct OrchestratorTests {
    let extracts: URL

    init() throws {
        extracts = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-engine-\(UUID().uuidString)/extracts")
        let connection = try Database().connect()
        for (source, tables) in [("shop", ["orders": 1000, "customers": 10, "shared": 1, "unregistered": 5]), ("crm", ["deals": 20, "shared": 2])] {
            let writer = ExtractWriter(layout: try ExtractLayout(extractsDirectory: extracts, source: source))
            try writer.publish(try tables.map { id, rows in
                try writer.writeTable(id: id, query: "SELECT i AS id FROM range(\(rows)) t(i)", on: connection)
            })
        }
    }

    func table(_ id: String, source: String? = nil) -> RegisteredTable {
        var table = RegisteredTable(id: id, name: id)
        table.sourceName = source
        return table
    }

    @Test("registered tables are served by id; unregistered and unsynced ones are not; an ambiguous id is a conflict")
    func servesTheRegistry() async throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts)
        let report = try orchestrator.rebuild(registry: [table("orders", source: "shop"), table("customers"), table("deals", source: "crm"),
                                                         table("shared"), table("never_synced", source: "shop")])
        #expect(report.served == ["customers", "deals", "orders"])
        #expect(report.missing == ["never_synced"])
        #expect(report.conflicts == ["shared": ["crm", "shop"]])
        let engine = try #require(orchestrator.engine)
        // Built, the engine holds no catalog of its tables: they are defined in the scopes built on first use, and
        // where queries are parsed there is no table at all.
        #expect(engine.scopeCount == 0)
        #expect(try await QueryParser.shared.withConnection { try $0.query("SHOW ALL TABLES").rows().count } == 0)
        await #expect(throws: DuckDBError.self) { try await QueryParser.shared.withConnection { try $0.execute("SELECT * FROM orders") } }
        let counts = try await engine.withConnection { connection in
            try ["orders", "customers", "deals"].map { try connection.scalar(Int64.self, "SELECT count(*) FROM \($0) WHERE id >= $1", 0) }
        }
        #expect(counts == [1000, 10, 20])
        #expect(engine.scopeCount == 1)
        // The views read the parquet files: no extract stays attached, and neither the engine nor a scope keeps
        // copies of file blocks (docs/performance.md, "Memory").
        let (attached, engineSettings) = try await engine.withConnection { connection in
            (try connection.query("SELECT database_name FROM duckdb_databases() WHERE NOT internal").rows().map { $0.values[0].description },
             try connection.query("SELECT current_setting('enable_external_file_cache')::VARCHAR").rows().first?.values[0].description)
        }
        #expect(attached == ["memory"] && engineSettings == "false", "\(attached) \(engineSettings ?? "")")
        let scopeSettings = try await engine.withScope(readable: ["orders"], policies: .bypass) {
            try $0.query("SELECT current_setting('enable_external_file_cache')::VARCHAR").rows().first?.values[0].description
        }
        #expect(scopeSettings == "false")
        await #expect(throws: DuckDBError.self) {
            try await engine.withConnection { try $0.execute("SELECT * FROM main.unregistered") }
        }

        // Naming the source settles the conflict on purpose.
        let settled = try orchestrator.rebuild(registry: [table("shared", source: "crm")])
        #expect(settled.served == ["shared"] && settled.conflicts.isEmpty)
        #expect(try await orchestrator.engine!.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM shared WHERE id >= $1", 0) } == 2)
    }

    @Test("a grant scope holds only the tables it was built for: others do not exist, their files cannot be read")
    func grantScopes() async throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts, settings: EngineSettings(maximumScopes: 2))
        try orchestrator.rebuild(registry: [table("orders", source: "shop"), table("customers", source: "shop"), table("deals", source: "crm")])
        let engine = try #require(orchestrator.engine)
        #expect(try await engine.withScope(readable: ["orders", "not_served"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM orders") } == 1000)
        let shop = try ExtractLayout(extractsDirectory: extracts, source: "shop")
        let ordersFile = try #require(shop.singleFiles(of: "orders").first).path
        let customersFile = try #require(shop.singleFiles(of: "customers").first).path
        for sql in ["SELECT * FROM customers", "SELECT * FROM main.customers", "SELECT * FROM shop.customers", "SELECT * FROM deals",
                    "SELECT * FROM read_parquet('\(customersFile)')", "SELECT * FROM '\(customersFile)'", "SELECT * FROM glob('\(extracts.path)/*')",
                    "ATTACH '\(extracts.path)/shop/extract.duckdb' AS shop", "SET lock_configuration = false", "SET allowed_paths = []",
                    "COPY (SELECT 1) TO '/tmp/agnes-scope-escape.csv'"] {
            await #expect(throws: DuckDBError.self, "\(sql) must fail in the scope") {
                try await engine.withScope(readable: ["orders"], policies: .bypass) { _ = try $0.query(sql).rows() }
            }
        }
        // The scope lists only its own table, and still reads it through its own file.
        let listed = try await engine.withScope(readable: ["orders"], policies: .bypass) { try $0.query("SHOW TABLES").rows().map { $0.values[0].description } }
        #expect(listed == ["orders"])
        #expect(try await engine.withScope(readable: ["orders"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM read_parquet('\(ordersFile)')") } == 1000)
        // Distinct sets get distinct scopes, kept up to the limit (least recently used dropped first).
        _ = try await engine.withScope(readable: ["orders", "customers"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM customers") }
        _ = try await engine.withScope(readable: ["deals"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM deals") }
        #expect(engine.scopeCount == 2)
    }

    @Test("the engine and its grant scopes run under the configured memory limit and threads")
    func engineLimits() async throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts, settings: EngineSettings(memoryLimit: "300MiB", threads: 1))
        try orchestrator.rebuild(registry: [table("orders", source: "shop")])
        let engine = try #require(orchestrator.engine)
        let limits = "SELECT current_setting('memory_limit') || ' ' || current_setting('threads')"
        #expect(try await engine.withConnection { try $0.scalar(String.self, limits) } == "300.0 MiB 1")
        #expect(try await engine.withScope(readable: ["orders"], policies: .bypass) { try $0.scalar(String.self, limits) } == "300.0 MiB 1")
    }

    @Test("the engine is locked down: no files but the tables' own, no extension loading, no changing the settings")
    func lockedDown() async throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts)
        try orchestrator.rebuild(registry: [table("orders", source: "shop")])
        let engine = try #require(orchestrator.engine)
        for sql in ["SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_csv('/etc/hosts')", "SET enable_external_access = true",
                    "SET lock_configuration = false", "LOAD httpfs", "INSTALL httpfs", "COPY (SELECT 1) TO '/tmp/agnes-escape.csv'",
                    "ATTACH '/tmp/agnes-escape.duckdb' AS escape"] {
            await #expect(throws: DuckDBError.self, "\(sql) must fail") {
                try await engine.withConnection { try $0.execute(sql) }
            }
            await #expect(throws: DuckDBError.self, "\(sql) must fail where queries are parsed") {
                try await QueryParser.shared.withConnection { try $0.execute(sql) }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/agnes-escape.csv"))
        #expect(try await engine.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM orders WHERE id < $1", 10) } == 10)
    }

    @Test("a rebuild swaps engines atomically: a query running on the old engine finishes there")
    func swapWhileQuerying() async throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts)
        try orchestrator.rebuild(registry: [table("orders", source: "shop")])
        let old = try #require(orchestrator.engine)
        async let running = old.withConnection { connection in
            try connection.scalar(Int64.self, "SELECT count(*) FROM orders, range(100000) r(x) WHERE orders.id >= $1", 0)
        }
        try await Task.sleep(for: .milliseconds(50))
        try orchestrator.rebuild(registry: [table("deals", source: "crm")])
        #expect(try await running == 100_000_000)
        let new = try #require(orchestrator.engine)
        #expect(new !== old && new.tables.keys.sorted() == ["deals"])
    }

    @Test("a rebuild builds the grant scopes queries used on the engine it replaces before it serves")
    func rebuildWarmsScopes() async throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts)
        try orchestrator.rebuild(registry: [table("orders", source: "shop"), table("customers", source: "shop")])
        let first = try #require(orchestrator.engine)
        #expect(try await first.withScope(readable: ["orders"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM orders") } == 1000)
        #expect(try await first.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM customers") } == 10)

        try orchestrator.rebuild(registry: [table("orders", source: "shop"), table("customers", source: "shop"), table("deals", source: "crm")])
        let second = try #require(orchestrator.engine)
        #expect(second !== first && second.scopeCount == 2)
        // The queries find them ready; the scope of every table now holds the table added.
        #expect(try await second.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM deals") } == 20)
        #expect(try await second.withScope(readable: ["orders"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM orders") } == 1000)
        #expect(second.scopeCount == 2)

        // A set none of whose tables is served any more is not built; only scopes used within the window are.
        try orchestrator.rebuild(registry: [table("deals", source: "crm")])
        let third = try #require(orchestrator.engine)
        #expect(third.scopeCount == 1)
        #expect(try await third.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM deals") } == 20)
        try orchestrator.rebuild(registry: [table("deals", source: "crm")])
        let fourth = try #require(orchestrator.engine)
        #expect(fourth.scopeCount == 1)
        let unwarmed = QueryEngine(tables: fourth.tables)
        unwarmed.warmScopes(usedOn: fourth, within: .zero)
        #expect(unwarmed.scopeCount == 0)
    }

    @Test("of rebuilds that overlap, the one that read the registry last stays serving")
    func latestTicketWins() throws {
        defer { try? FileManager.default.removeItem(at: extracts.deletingLastPathComponent()) }
        let orchestrator = Orchestrator(extractsDirectory: extracts)
        let older = orchestrator.takeTicket(), newer = orchestrator.takeTicket()
        try orchestrator.rebuild(registry: [table("deals", source: "crm")], ticket: newer)
        try orchestrator.rebuild(registry: [table("orders", source: "shop")], ticket: older)
        #expect(orchestrator.engine?.tables.keys.sorted() == ["deals"])
    }
}
