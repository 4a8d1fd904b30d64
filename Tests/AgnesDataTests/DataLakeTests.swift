// Table data on DuckLake, with the state and the lake's catalog in a real PostgreSQL: a sync writes its table to the
// lake and records the version; engines and grant scopes read exactly that version through its files; a version
// written but never recorded is not served; an engine built before a new version keeps reading its own; snapshots no
// state names are expired with their files, never the ones in use.
import AgnesAPI
@testable import AgnesData
import AgnesState
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("data lake", .serialized)
struct DataLakeTests {
    /// A data plane on a new PostgreSQL database with the lake on, a files source `shop`, and the table `orders`
    /// registered from `orders.csv`; everything is removed after `body`.
    private func withLakePlane(_ body: (DataPlane, URL, DataLake) async throws -> Void) async throws {
        let (cluster, database) = try await offTheCooperativePool {
            let cluster = try PostgresTestCluster.shared()
            return (cluster, try cluster.newDatabase())
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-lake-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let location = try StateLocation.PostgreSQL(url: cluster.url(database: database))
        let state = try await offTheCooperativePool { try StateStore.open(dataDirectory: root, location: .postgreSQL(location)) }
        let files = root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        try await DataSourcesRepository(store: state).upsert(name: "shop", type: "files", config: #"{"directory":"\#(files.path)"}"#, secretEnv: [])
        var orders = RegisteredTable(id: "orders", name: "orders")
        orders.sourceName = "shop"
        orders.sourceTable = "orders.csv"
        try await RegistryRepository(store: state).upsert(orders)
        let lake = DataLake(catalog: location, dataDirectory: root)
        let plane = DataPlane(state: state, dataDirectory: root, settings: EngineSettings(lake: lake))
        do {
            try await body(plane, files, lake)
        } catch {
            try? await state.close()
            throw error
        }
        try await state.close()
    }

    private func writeOrders(_ rows: Int, to files: URL) throws {
        try ("id,amount\n" + (1...rows).map { "\($0),\($0 * 10)" }.joined(separator: "\n") + "\n")
            .write(to: files.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
    }

    private func count(_ engine: QueryEngine?) async throws -> Int64? {
        try await engine?.withScope(readable: ["orders"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM orders") }
    }

    /// Opens the lake read-write on a database of its own for `body`.
    private func withLake<T: Sendable>(_ lake: DataLake, _ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await offTheCooperativePool {
            let database = try Database()
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            try lake.attach(connection, readOnly: false)
            return try body(connection)
        }
    }

    @Test("a sync writes the table to the lake and records its version; engines and grant scopes read that version's files")
    func syncWritesAndEnginesRead() async throws {
        try await withLakePlane { plane, files, lake in
            try writeOrders(3, to: files)
            try await plane.syncNow(["orders"], trigger: "test")
            let state = try #require(try await SyncStateRepository(store: plane.state).state(tableId: "orders"))
            let version = try #require(state.lakeVersion, "the sync recorded no lake version")
            #expect(state.status == .ok && state.rows == 3)

            let engine = try #require(plane.orchestrator.engine)
            guard case let .parquet(paths) = engine.tables["orders"]?.rows else { Issue.record("orders is not served from files"); return }
            #expect(!paths.isEmpty && paths.allSatisfy { $0.hasPrefix(lake.dataPath.path + "/") }, "served from \(paths), not the lake")
            #expect(try await count(engine) == 3)
            #expect(try await engine.withConnection { try $0.scalar(Int64.self, "SELECT sum(amount) FROM orders") } == 60)
            // The lake holds the same rows at that version.
            #expect(try await withLake(lake) { try $0.scalar(Int64.self, "SELECT count(*) FROM lake.main.orders AT (VERSION => \(version))") } == 3)
        }
    }

    @Test("a new version is served once its sync is recorded; one written but never recorded is not; an older engine keeps its own")
    func versionsFollowTheState() async throws {
        try await withLakePlane { plane, files, lake in
            try writeOrders(3, to: files)
            try await plane.syncNow(["orders"], trigger: "test")
            let first = try #require(plane.orchestrator.engine)
            let recorded = try #require(try await SyncStateRepository(store: plane.state).state(tableId: "orders")?.lakeVersion)

            // A writer that wrote the lake and died before recording its sync: its version is never served.
            let orphan = try await withLake(lake) { connection in
                try connection.execute("CREATE OR REPLACE TABLE lake.main.orders AS SELECT 1 AS id, 1 AS amount")
                return try connection.scalar(Int64.self, "SELECT id FROM lake.current_snapshot()")
            }
            #expect(orphan.map { $0 > recorded } == true)
            try await plane.rebuild()
            #expect(try await count(plane.orchestrator.engine) == 3, "a version no sync recorded was served")

            // The next sync records a newer version; the new engine reads it, the old engine still reads its own.
            try writeOrders(5, to: files)
            try await plane.syncNow(["orders"], trigger: "test")
            let newer = try #require(try await SyncStateRepository(store: plane.state).state(tableId: "orders")?.lakeVersion)
            #expect(newer > recorded)
            #expect(try await count(plane.orchestrator.engine) == 5)
            #expect(try await count(first) == 3)
        }
    }

    @Test("snapshots no sync state names are expired with their files; the recorded ones stay readable")
    func expiry() async throws {
        try await withLakePlane { plane, files, lake in
            for rows in [2, 3, 4] {
                try writeOrders(rows, to: files)
                try await plane.syncNow(["orders"], trigger: "test")
            }
            let before = try await withLake(lake) { try $0.query("SELECT snapshot_id FROM lake.snapshots()").rows().count }
            // Within the grace period nothing goes.
            #expect(try await plane.expireLakeSnapshots() == 0)
            let expired = try await plane.expireLakeSnapshots(grace: .zero)
            #expect(expired >= 2 && expired < before, "expired \(expired) of \(before)")
            let files = try FileManager.default.subpathsOfDirectory(atPath: lake.dataPath.path).filter { $0.hasSuffix(".parquet") }
            #expect(files.count == 1, "the files of expired versions are deleted: \(files)")
            try await plane.rebuild()
            #expect(try await count(plane.orchestrator.engine) == 4)
        }
    }

    @Test("the lake's password never shows in an error")
    func errorsHideThePassword() async throws {
        let location = try StateLocation.PostgreSQL(url: "postgres://postgres:very-secret-pw@127.0.0.1:1/nowhere")
        let lake = DataLake(catalog: location, dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("agnes-lake-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: lake.dataPath.deletingLastPathComponent()) }
        let error = try #require(throws: DuckDBError.self) {
            let connection = try Database().connect()
            try lake.attach(connection, readOnly: true)
        }
        #expect(error.message.contains("could not attach the data lake") && !error.message.contains("very-secret-pw"), "\(error.message)")
    }
}
