// kill -9 of the real server at each step of a sync's commit (the crash points of `AgnesCore/CrashPoint.swift`, so
// nothing races): after a restart, the manifest, the download and the query engine agree — on the old version when the
// crash came before the table's new state was recorded, on the new one after — and the next sync completes and leaves
// only the files the state names.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("sync crash", .serialized)
struct SyncCrashTests {
    let flow = DataPlaneFlowTests()

    /// What the server says of `orders`, and whether every surface says the same.
    struct Served: Equatable {
        /// The manifest's hash (of the file, or of a partitioned table's parts).
        let hash: String
        let rows: Int
        /// The files the manifest lists, relative to the extract's folder.
        let files: Set<String>
    }

    func served(_ client: ServerClient, token: String, extract: URL) async throws -> Served {
        let entry = try #require((try await client.call("GET", "/api/sync/manifest", token: token).object["tables"] as? [String: [String: Any]])?["orders"])
        let rows = try #require(entry["rows"] as? Int)
        let files = try #require(entry["files"] as? [[String: Any]])
        // Every file the manifest names is on disk with the digest it gives.
        for file in files {
            let path = try #require(file["path"] as? String)
            let bytes = try Data(contentsOf: extract.appendingPathComponent(path))
            #expect(DataPlaneFlowTests.sha256(bytes) == file["sha256"] as? String, "\(path) is the file the manifest names")
        }
        if let sha = entry["sha256"] as? String {
            let download = try await client.call("GET", "/api/data/orders/download", token: token)
            #expect(DataPlaneFlowTests.sha256(download.body) == sha, "the download is the file the manifest names")
        }
        let count = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM orders"], token: token)
        #expect((count.object["rows"] as? [[Int]])?.first?.first == rows, "the query engine serves the rows the manifest counts")
        return Served(hash: try #require(entry["hash"] as? String), rows: rows, files: Set(files.compactMap { $0["path"] as? String }))
    }

    /// How `orders` is registered for each sync strategy.
    static var strategies: [String: [String: Any]] { [
        "full_refresh": [:],
        "incremental": ["sync_strategy": "incremental", "incremental_column": "id", "primary_key": ["id"]],
        "partitioned": ["sync_strategy": "partitioned", "partition_by": "day"],
    ] }

    func token(_ client: ServerClient) async throws -> String {
        try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"]).string("access_token"))
    }

    /// A data directory where `orders` (1,000 rows of a CSV file) is registered with `strategy` and synced, and the
    /// server that synced it stopped.
    struct Fixture {
        let root: URL, data: URL, extract: URL, csv: String
        let maker: Connection
        /// What the server served after that first sync.
        let before: Served

        /// Rewrites the source file with `rows` rows.
        func write(rows: Int) throws {
            try maker.execute("COPY (SELECT i AS id, i * 2 AS amount, DATE '2026-01-01' + (i % 90)::INTEGER AS day FROM range(\(rows)) t(i)) "
                              + "TO \(SQL.literal(csv)) (HEADER)")
        }
    }

    func synced(strategy: String) async throws -> Fixture {
        let root = try temporaryDirectory()
        let data = root.appendingPathComponent("data"), sources = root.appendingPathComponent("sources")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: data.appendingPathComponent("server.log").path, contents: nil)
        let extract = data.appendingPathComponent("extracts/shop")
        var fixture = Fixture(root: root, data: data, extract: extract, csv: sources.appendingPathComponent("orders.csv").path,
                              maker: try Database().connect(), before: Served(hash: "", rows: 0, files: []))
        try fixture.write(rows: 1000)
        let (server, client) = try await flow.start(data, environment: [:])
        defer { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() }
        _ = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
        let admin = try await token(client)
        _ = try await client.call("POST", "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": sources.path]], token: admin)
        let registered = try await client.call("POST", "/api/admin/register-table", json: ["name": "orders", "source_name": "shop", "source_table": "orders.csv"]
            .merging(Self.strategies[strategy] ?? [:]) { $1 }, token: admin)
        #expect(registered.status == 201, "\(String(decoding: registered.body, as: UTF8.self))")
        _ = try await client.call("POST", "/api/sync/trigger", token: admin)
        try await flow.waitForSync(client)
        fixture = Fixture(root: root, data: data, extract: extract, csv: fixture.csv, maker: fixture.maker,
                          before: try await served(client, token: admin, extract: extract))
        #expect(fixture.before.rows == 1000)
        return fixture
    }

    @Test("a crash before the rename, before the state is recorded, or before the extract is published never splits what is served",
          arguments: ["full_refresh", "incremental", "partitioned"], [("sync.before-rename", false), ("sync.before-state", false), ("sync.before-publish", true)])
    func crashMidSync(strategy: String, crash: (point: String, committed: Bool)) async throws {
        let (point, committed) = crash
        let fixture = try await synced(strategy: strategy)
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (data, extract, before) = (fixture.data, fixture.extract, fixture.before)

        // The source changes; the next sync is killed at `point`.
        try fixture.write(rows: 1500)
        var (server, client) = try await flow.start(data, environment: ["AGNES_CRASH_AT": point])
        var admin = try await token(client)
        _ = try? await client.call("POST", "/api/sync/trigger", token: admin)
        for _ in 0..<600 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if server.isRunning { kill(server.processIdentifier, SIGTERM) }  // never reached the point: fail below, do not hang
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal && server.terminationStatus == SIGKILL, "the server did not stop at \(point)")

        (server, client) = try await flow.start(data, environment: [:])
        defer { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() }
        admin = try await token(client)
        let after = try await served(client, token: admin, extract: extract)
        #expect(committed ? after.rows == 1500 && after.hash != before.hash : after == before, "\(strategy), \(point): \(after)")

        // The next sync completes, and the extract's data folder holds only the file the state names.
        #expect(try await client.call("POST", "/api/sync/trigger", token: admin).status == 200)
        try await flow.waitForSync(client)
        let synced = try await served(client, token: admin, extract: extract)
        #expect(synced.rows == 1500)
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: extract.appendingPathComponent("data").path)
            .filter { $0.hasSuffix(".parquet") }.map { "data/\($0)" }
        #expect(Set(onDisk) == synced.files, "\(strategy), \(point): \(onDisk)")
    }

    @Test("a server killed while it builds its query engine — at start, or after a sync — starts again and serves what the state names")
    func crashMidRebuild() async throws {
        let fixture = try await synced(strategy: "full_refresh")
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (data, extract, before) = (fixture.data, fixture.extract, fixture.before)

        // Killed while building the engine it starts with.
        let port = try freePort()
        #expect(try await StateCrashTests().killed(at: "engine.mid-rebuild", ["serve", "--port", String(port), "--data-dir", data.path],
                                             environment: ["AGNES_HOST": "127.0.0.1", "AGNES_SCHEDULER": "off"]))
        #expect(try stateProblems(data) == [])
        var (server, client) = try await flow.start(data, environment: [:])
        var admin = try await token(client)
        #expect(try await served(client, token: admin, extract: extract) == before)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()

        // Killed while building the engine that serves a sync's new rows (the second build of the process).
        try fixture.write(rows: 1500)
        (server, client) = try await flow.start(data, environment: ["AGNES_CRASH_AT": "engine.mid-rebuild@2"])
        admin = try await token(client)
        _ = try? await client.call("POST", "/api/sync/trigger", token: admin)
        for _ in 0..<600 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if server.isRunning { kill(server.processIdentifier, SIGTERM) }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal && server.terminationStatus == SIGKILL, "the server did not stop in its second rebuild")
        #expect(try stateProblems(data) == [])
        (server, client) = try await flow.start(data, environment: [:])
        defer { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() }
        admin = try await token(client)
        let after = try await served(client, token: admin, extract: extract)
        #expect(after.rows == 1500 && after.hash != before.hash, "the sync's state was recorded before the rebuild: its rows are served")
    }
}
