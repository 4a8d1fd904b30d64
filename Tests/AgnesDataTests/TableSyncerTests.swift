// Syncing registered tables from real files and a real SQLite database into extracts, with the outcome recorded in
// sync_state and sync_history; a failed sync keeps the last good data and says why.
import AgnesAPI
@testable import AgnesData
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("table syncer")
struct TableSyncerTests {
    let root: URL
    let sources: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-sync-\(UUID().uuidString)")
        sources = root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: sources.appendingPathComponent("events"), withIntermediateDirectories: true)
    }

    func registered(_ id: String, source: String, table: String? = nil, query: String? = nil) -> RegisteredTable {
        var registered = RegisteredTable(id: id, name: id)
        registered.sourceName = source
        registered.sourceTable = table
        registered.sourceQuery = query
        return registered
    }

    @Test("the files connector syncs CSV, NDJSON and a glob of parquet files")
    func filesConnector() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try "id,name,amount\n1,Ann,10.5\n2,Bob,7\n3,\"Cy, Jr.\",1\n".write(to: sources.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
        try "{\"id\":1,\"tags\":[\"a\"]}\n{\"id\":2,\"tags\":[]}\n".write(to: sources.appendingPathComponent("tags.ndjson"), atomically: true, encoding: .utf8)
        let maker = try Database().connect()
        for month in 1...3 {
            let path = sources.appendingPathComponent("events/2026-0\(month).parquet").path
            try maker.execute("COPY (SELECT i AS id, \(month) AS month FROM range(\(month * 100)) t(i)) TO '\(path)' (FORMAT parquet)")
        }
        let state = try StateStore.inMemory()
        _ = try await DataSourcesRepository(store: state).upsert(name: "shop", type: "files", config: #"{"directory":"\#(sources.path)"}"#, secretEnv: [])
        let syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))

        let customers = try await syncer.sync(registered("customers", source: "shop", table: "customers.csv"), trigger: "test")
        #expect(customers.error == nil && customers.table?.rows == 3)
        let tags = try await syncer.sync(registered("tags", source: "shop", table: "tags.ndjson"), trigger: "test")
        #expect(tags.table?.rows == 2)
        let events = try await syncer.sync(registered("events", source: "shop", table: "events/*.parquet"), trigger: "test")
        #expect(events.table?.rows == 600)

        let stored = try #require(try await ProfilesRepository(store: state).profile(tableId: "customers"))
        let profile = try JSONDecoder().decode(CatalogProfile.self, from: Data(stored.profile.utf8))
        #expect(profile.rows == 3 && profile.columns.map(\.name) == ["id", "name", "amount"] && profile.sample.count == 3)
        let stateRow = try #require(try await SyncStateRepository(store: state).state(tableId: "customers"))
        #expect(stateRow.status == .ok && stateRow.rows == 3 && stateRow.columns == 3 && stateRow.sha256 == customers.table?.files.first?.sha256)
        let layout = try ExtractLayout(extractsDirectory: root.appendingPathComponent("extracts"), source: "shop")
        #expect(try ExtractWriter(layout: layout).tables().map(\.tableId) == ["customers", "events", "tags"])
        let reader = try Database().connect()
        try reader.execute("ATTACH '\(layout.databaseFile.path)' AS shop (READ_ONLY)")
        #expect(try reader.scalar(String.self, "SELECT name FROM shop.customers WHERE id = $1", 3) == "Cy, Jr.")

        let escape = try await syncer.sync(registered("secrets", source: "shop", table: "../../etc/passwd.csv"), trigger: "test")
        #expect(escape.error?.contains("must be a path inside") == true)
        try await state.close()
    }

    @Test("a run of many tables from two sources publishes each source once with all its tables; a failing table keeps the others")
    func batchRun() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let state = try StateStore.inMemory()
        for source in ["left", "right"] {
            let folder = sources.appendingPathComponent(source)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 0..<20 { try "id\n\(index)\n".write(to: folder.appendingPathComponent("t\(index).csv"), atomically: true, encoding: .utf8) }
            _ = try await DataSourcesRepository(store: state).upsert(name: source, type: "files", config: #"{"directory":"\#(folder.path)"}"#, secretEnv: [])
        }
        var tables = (0..<20).flatMap { index in
            ["left", "right"].map { registered("\($0)_\(index)", source: $0, table: "t\(index).csv") }
        }
        tables.append(registered("broken", source: "left", table: "missing.csv"))
        let syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))
        let outcomes = try await syncer.sync(tables, trigger: "test")
        #expect(outcomes.map(\.tableId) == tables.map(\.id))
        #expect(outcomes.filter { $0.error == nil }.count == 40 && outcomes.last?.error != nil)
        for source in ["left", "right"] {
            let layout = try ExtractLayout(extractsDirectory: root.appendingPathComponent("extracts"), source: source)
            #expect(try ExtractWriter(layout: layout).tables().map(\.tableId).sorted() == (0..<20).map { "\(source)_\($0)" }.sorted())
        }
        #expect(try await SyncStateRepository(store: state).state(tableId: "right_7")?.rows == 1)
        #expect(try await SyncStateRepository(store: state).state(tableId: "broken")?.status == .error)
        try await state.close()
    }

    @Test("the sqlite connector reads a table and a query from a real SQLite file")
    func sqliteConnector() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("crm.sqlite")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE deals (id INTEGER PRIMARY KEY, stage TEXT, value REAL)")
            db.executemany("INSERT INTO deals (stage, value) VALUES (?, ?)", [("won", 10.0), ("lost", 3.5), ("won", 2.25)])
            db.commit()
            """, file.path]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)

        let state = try StateStore.inMemory()
        _ = try await DataSourcesRepository(store: state).upsert(name: "crm", type: "sqlite", config: #"{"path":"\#(file.path)"}"#, secretEnv: [])
        let syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))
        let deals = try await syncer.sync(registered("deals", source: "crm", table: "deals"), trigger: "test")
        #expect(deals.error == nil && deals.table?.rows == 3)
        let won = try await syncer.sync(registered("won_deals", source: "crm", query: "SELECT * FROM source.deals WHERE stage = 'won'"), trigger: "test")
        #expect(won.table?.rows == 2)
        try await state.close()
    }

    @Test("a failed sync records the error and keeps the last good extract and figures")
    func failureKeepsLastGood() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let csv = sources.appendingPathComponent("orders.csv")
        try "id\n1\n2\n".write(to: csv, atomically: true, encoding: .utf8)
        let state = try StateStore.inMemory()
        _ = try await DataSourcesRepository(store: state).upsert(name: "shop", type: "files", config: #"{"directory":"\#(sources.path)"}"#, secretEnv: [])
        let syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))
        let table = registered("orders", source: "shop", table: "orders.csv")
        let good = try await syncer.sync(table, trigger: "test")
        try FileManager.default.removeItem(at: csv)
        let bad = try await syncer.sync(table, trigger: "test")
        #expect(bad.error != nil)

        let row = try #require(try await SyncStateRepository(store: state).state(tableId: "orders"))
        #expect(row.status == .error && row.error?.isEmpty == false && row.rows == 2 && row.sha256 == good.table?.files.first?.sha256)
        let layout = try ExtractLayout(extractsDirectory: root.appendingPathComponent("extracts"), source: "shop")
        #expect(FileManager.default.fileExists(atPath: layout.directory.appendingPathComponent(try #require(good.table?.files.first?.path)).path))
        let history = try await SyncStateRepository(store: state).history(tableId: "orders")
        #expect(history.map(\.status) == [.error, .ok])
        try await state.close()
    }
}
