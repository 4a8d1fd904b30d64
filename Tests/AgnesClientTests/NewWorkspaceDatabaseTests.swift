// A first pull's database, built while the files download: it takes its name only at the end and only if the name is
// free, with exactly the views of what the pull recorded; a failure or a database made meanwhile leaves nothing behind.
@testable import AgnesClient
import DuckDB
import Foundation
import Testing

@Suite("new workspace database")
struct NewWorkspaceDatabaseTests {
    func workspace() throws -> Workspace {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return Workspace(root: root)
    }

    /// Writes a parquet file of `rows` rows at `file`.
    func parquet(_ file: URL, rows: Int) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Database.withScratchConnection { connection -> Void in
            try connection.execute("COPY (SELECT range AS id FROM range(\(rows))) TO \(SQL.literal(file.path)) (FORMAT parquet)")
        }
    }

    func single() -> Workspace.PulledTable { Workspace.PulledTable(rows: 0, sizeBytes: 0, files: ["": "0"]) }

    /// The names and kinds of what the workspace database holds.
    func objects(in workspace: Workspace) throws -> [String: String] {
        let database = try Database(path: workspace.databaseFile.path, configuration: .init(accessMode: .readOnly))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        struct Object: Decodable { let table_name: String; let table_type: String }
        let rows = try connection.query("SELECT table_name, table_type FROM information_schema.tables").decode(Object.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.table_name, $0.table_type) })
    }

    func leftovers(in workspace: Workspace) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: workspace.databaseFile.deletingLastPathComponent().path)
            .filter { $0 != workspace.databaseFile.lastPathComponent }
    }

    @Test("views are made as files land, the rest at the end; a view the pull did not record is dropped")
    func buildsWhileFilesLand() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try parquet(workspace.file(of: "orders"), rows: 3)
        try parquet(workspace.file(of: "failed"), rows: 1)
        try parquet(workspace.file(of: "customers"), rows: 2)
        try parquet(workspace.file(of: "visits", part: "2026-01"), rows: 4)
        try parquet(workspace.file(of: "visits", part: "2026-02"), rows: 5)

        let builder = try #require(NewWorkspaceDatabase.start(in: workspace))
        builder.fileLanded("orders")
        builder.fileLanded("failed")  // landed, but the pull did not record it (another of its files failed, say)
        builder.waitForLandedViews()
        #expect(!FileManager.default.fileExists(atPath: workspace.databaseFile.path), "the name is taken only at the end")
        let tables = ["orders": single(), "customers": single(),
                      "visits": Workspace.PulledTable(rows: 0, sizeBytes: 0, files: ["2026-01": "1", "2026-02": "2"])]
        #expect(builder.finish(tables: tables))

        #expect(try objects(in: workspace) == ["orders": "VIEW", "customers": "VIEW", "visits": "VIEW"])
        #expect(try leftovers(in: workspace).isEmpty)
        let database = try Database(path: workspace.databaseFile.path, configuration: .init(accessMode: .readOnly))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        struct Counts: Decodable, Equatable { let orders: Int64; let customers: Int64; let visits: Int64 }
        let counts = try connection.query("SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM customers) AS customers, "
                                          + "(SELECT count(*) FROM visits) AS visits").decode(Counts.self)
        #expect(counts == [Counts(orders: 3, customers: 2, visits: 9)])
    }

    @Test("a database made during the pull is kept, and the one being built is dropped")
    func keepsADatabaseMadeMeanwhile() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try parquet(workspace.file(of: "orders"), rows: 3)
        let builder = try #require(NewWorkspaceDatabase.start(in: workspace))
        builder.fileLanded("orders")
        builder.waitForLandedViews()

        // A snapshot made while the files download creates the database with a table of the user's.
        try FileManager.default.createDirectory(at: workspace.databaseFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let made = try Database(path: workspace.databaseFile.path)
        let connection = try made.connect()
        try connection.execute("CREATE TABLE notes AS SELECT 42 AS answer")
        connection.close()
        made.close()

        #expect(!builder.finish(tables: ["orders": single()]), "the caller is told to build the views in the database that is there")
        #expect(try objects(in: workspace) == ["notes": "BASE TABLE"])
        #expect(try leftovers(in: workspace).isEmpty)
        #expect(NewWorkspaceDatabase.start(in: workspace) == nil, "a workspace with a database gets no new one")
    }

    @Test("a view that cannot be made fails the build and leaves nothing; what a killed pull left is cleared first")
    func failureLeavesNothing() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        // What a pull killed while it built the database left: files DuckDB cannot open.
        try FileManager.default.createDirectory(at: workspace.databaseFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("torn".utf8).write(to: URL(fileURLWithPath: workspace.databaseFile.path + ".new"))
        try Data("torn".utf8).write(to: URL(fileURLWithPath: workspace.databaseFile.path + ".new.wal"))

        try parquet(workspace.file(of: "orders"), rows: 3)
        let builder = try #require(NewWorkspaceDatabase.start(in: workspace))
        builder.fileLanded("orders")
        builder.fileLanded("missing")  // no such file: its view cannot bind
        builder.waitForLandedViews()
        #expect(!builder.finish(tables: ["orders": single(), "missing": single()]))
        #expect(!FileManager.default.fileExists(atPath: workspace.databaseFile.path))
        #expect(try leftovers(in: workspace).isEmpty)

        let again = try #require(NewWorkspaceDatabase.start(in: workspace))
        again.fileLanded("orders")
        #expect(again.finish(tables: ["orders": single()]))
        #expect(try objects(in: workspace) == ["orders": "VIEW"])
    }
}
