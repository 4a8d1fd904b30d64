// The incremental and partitioned strategies on real files: an incremental sync merges newer rows by primary key and
// keeps the rest; a partitioned sync writes one part per month and rewrites only the months whose rows changed.
import AgnesAPI
@testable import AgnesData
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("sync strategies")
struct SyncStrategyTests {
    let root: URL
    let sources: URL
    let state: StateStore
    let syncer: TableSyncer

    init() async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-strategies-\(UUID().uuidString)")
        sources = root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        state = try StateStore.inMemory()
        _ = try await DataSourcesRepository(store: state).upsert(name: "shop", type: "files", config: #"{"directory":"\#(sources.path)"}"#, secretEnv: [])
        syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: sources.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// The rows the published extract serves for `id`, as "key=value" strings sorted.
    func served(_ id: String, _ select: String) throws -> [String] {
        let layout = try ExtractLayout(extractsDirectory: root.appendingPathComponent("extracts"), source: "shop")
        let connection = try Database().connect()
        try connection.execute("ATTACH '\(layout.databaseFile.path)' AS shop (READ_ONLY)")
        struct Row: Decodable { let line: String }
        return try connection.query("SELECT (\(select))::VARCHAR AS line FROM shop.\(id) ORDER BY 1").decode(Row.self).map(\.line)
    }

    @Test("incremental: rows past the newest value are merged by primary key; the others stay")
    func incremental() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        var table = RegisteredTable(id: "orders", name: "orders", sourceName: "shop", sourceTable: "orders.csv", syncStrategy: .incremental,
                                    primaryKey: ["id"], incrementalColumn: "updated_at")
        try write("orders.csv", "id,updated_at,amount\n1,2026-01-01 10:00:00,10\n2,2026-01-02 10:00:00,20\n3,2026-01-03 10:00:00,30\n")
        let first = try await syncer.sync(table, trigger: "test")
        #expect(first.error == nil && first.table?.rows == 3)

        // The source now holds only changed and new rows (and an old one): a full refresh would lose ids 1 and 3.
        try write("orders.csv", "id,updated_at,amount\n1,2025-12-01 10:00:00,999\n2,2026-01-05 10:00:00,25\n4,2026-01-06 10:00:00,40\n")
        let second = try await syncer.sync(table, trigger: "test")
        #expect(second.error == nil && second.table?.rows == 4)
        #expect(try served("orders", "id || ':' || amount") == ["1:10", "2:25", "3:30", "4:40"])

        // Nothing newer: the file is left as it is.
        let before = try #require(second.table?.files.first)
        let third = try await syncer.sync(table, trigger: "test")
        #expect(third.table?.files.first == before)

        // Without a primary key, strictly newer rows are appended.
        table.primaryKey = []
        try write("orders.csv", "id,updated_at,amount\n4,2026-01-06 10:00:00,40\n5,2026-01-07 10:00:00,50\n")
        let appended = try await syncer.sync(table, trigger: "test")
        #expect(appended.table?.rows == 5)
        #expect(try served("orders", "id") == ["1", "2", "3", "4", "5"])
    }

    @Test("partitioned: a part per month; only changed months are rewritten; dropped months go")
    func partitioned() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let table = RegisteredTable(id: "events", name: "events", sourceName: "shop", sourceTable: "events.csv", syncStrategy: .partitioned,
                                    partitionBy: "day")
        func events(_ february: String, march: Bool = true) -> String {
            var text = "id,day,kind\n1,2026-01-05,view\n2,2026-01-20,buy\n3,2026-02-02,\(february)\n4,2026-02-28,view\n"
            if march { text += "5,2026-03-01,view\n" }
            return text + "6,,view\n"
        }
        try write("events.csv", events("view"))
        let first = try await syncer.sync(table, trigger: "test")
        #expect(first.error == nil && first.table?.rows == 6)
        let parts = try #require(first.table?.files)
        #expect(parts.map(\.part) == ["2026-01", "2026-02", "2026-03", "none"])
        #expect(try served("events", "id") == ["1", "2", "3", "4", "5", "6"])
        #expect(try served("events", "json_keys(to_json(events))::VARCHAR").first == "[id, day, kind]")  // no partition column added

        try write("events.csv", events("buy"))
        let second = try await syncer.sync(table, trigger: "test")
        let changed = try #require(second.table?.files)
        #expect(changed.map(\.part) == ["2026-01", "2026-02", "2026-03", "none"])
        #expect(changed[0] == parts[0] && changed[2] == parts[2] && changed[3] == parts[3])
        #expect(changed[1].path != parts[1].path && changed[1].sha256 != parts[1].sha256)
        let layout = try ExtractLayout(extractsDirectory: root.appendingPathComponent("extracts"), source: "shop")
        #expect(!FileManager.default.fileExists(atPath: layout.directory.appendingPathComponent(parts[1].path).path))
        #expect(try served("events", "id || kind") == ["1view", "2buy", "3buy", "4view", "5view", "6view"])

        try write("events.csv", events("buy", march: false))
        let third = try await syncer.sync(table, trigger: "test")
        #expect(third.table?.files.map(\.part) == ["2026-01", "2026-02", "none"] && third.table?.rows == 5)
        let remaining = try FileManager.default.contentsOfDirectory(atPath: layout.partsDirectory(tableId: "events").path).sorted()
        #expect(remaining == third.table?.files.map { URL(fileURLWithPath: $0.path).lastPathComponent }.sorted())
        let stateRow = try #require(try await SyncStateRepository(store: state).state(tableId: "events"))
        #expect(stateRow.status == .ok && stateRow.md5 == nil && stateRow.rows == 5)
    }

    @Test("partitioned and incremental: new rows are merged into their months only")
    func partitionedIncremental() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let table = RegisteredTable(id: "tickets", name: "tickets", sourceName: "shop", sourceTable: "tickets.csv", syncStrategy: .partitioned,
                                    primaryKey: ["id"], incrementalColumn: "updated", partitionBy: "created")
        try write("tickets.csv", "id,created,updated,status\n1,2026-01-03,2026-01-03,open\n2,2026-02-03,2026-02-03,open\n")
        let first = try await syncer.sync(table, trigger: "test")
        let parts = try #require(first.table?.files)
        try write("tickets.csv", "id,created,updated,status\n2,2026-02-03,2026-03-01,closed\n3,2026-03-02,2026-03-02,open\n")
        let second = try await syncer.sync(table, trigger: "test")
        let now = try #require(second.table?.files)
        #expect(now.map(\.part) == ["2026-01", "2026-02", "2026-03"] && now[0] == parts[0] && now[1] != parts[1])
        #expect(try served("tickets", "id || status") == ["1open", "2closed", "3open"])
    }

    @Test("strategy settings that cannot work are refused before reading anything")
    func strategyProblems() {
        #expect(TableSyncer.strategyProblem(RegisteredTable(id: "a", name: "a", syncStrategy: .incremental)) != nil)
        #expect(TableSyncer.strategyProblem(RegisteredTable(id: "a", name: "a", syncStrategy: .partitioned)) != nil)
        #expect(TableSyncer.strategyProblem(RegisteredTable(id: "a", name: "a", queryMode: .remote, syncStrategy: .partitioned, partitionBy: "d")) != nil)
        #expect(TableSyncer.strategyProblem(RegisteredTable(id: "a", name: "a", syncStrategy: .incremental, incrementalColumn: "x\"; --")) != nil)
        #expect(TableSyncer.strategyProblem(RegisteredTable(id: "a", name: "a", syncStrategy: .incremental, primaryKey: ["id"],
                                                            incrementalColumn: "updated_at")) == nil)
    }
}
