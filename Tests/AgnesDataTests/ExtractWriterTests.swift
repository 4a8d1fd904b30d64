// The extract contract on real files: parquet with zstd and 122,880-row groups, `_meta` and views in
// extract.duckdb, hashes that match the bytes, and nothing of the previous extract lost when a write fails.
@testable import AgnesData
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("extract writer")
struct ExtractWriterTests {
    let root: URL
    let layout: ExtractLayout

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-extract-\(UUID().uuidString)")
        layout = try ExtractLayout(extractsDirectory: root, source: "shop")
    }

    func sha256sum(_ url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
    }

    @Test("tables are written as zstd parquet in 122,880-row groups and published with _meta and views")
    func writeAndPublish() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let database = try Database()
        let connection = try database.connect()
        let writer = ExtractWriter(layout: layout)
        let orders = try writer.writeTable(id: "orders", description: "Orders", query: "SELECT i AS id, i % 7 AS customer FROM range(300000) t(i)",
                                           on: connection)
        let customers = try writer.writeTable(id: "customers", query: "SELECT i AS id, 'c' || i AS name FROM range(7) t(i)", on: connection)
        try writer.publish([orders, customers])

        #expect(orders.rows == 300_000 && customers.rows == 7)
        // Named by its content: a sync never overwrites the file the recorded state names.
        let sha = try #require(orders.files.first?.sha256)
        #expect(orders.files.first?.path == "data/orders.\(sha.prefix(16)).parquet")
        let file = layout.directory.appendingPathComponent(orders.files[0].path)
        #expect(sha == (try sha256sum(file)))
        #expect(orders.sizeBytes == (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64))
        let groups = try connection.query("SELECT DISTINCT row_group_id, row_group_num_rows, compression FROM parquet_metadata(\(SQL.literal(file.path))) ORDER BY 1")
            .decode(RowGroup.self)
        #expect(groups.map(\.row_group_num_rows) == [122_880, 122_880, 54_240])
        #expect(Set(groups.map(\.compression)) == ["ZSTD"])

        #expect(try writer.tables().map(\.tableId) == ["customers", "orders"])
        #expect(try writer.tables().first { $0.tableId == "orders" } == orders)
        try connection.execute("ATTACH \(SQL.literal(layout.databaseFile.path)) AS shop (READ_ONLY)")
        #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM shop.orders WHERE customer = $1", 3) == 42_857)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.dataDirectory.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("a write that fails half-way leaves the previous parquet and catalog untouched, and no temporary file")
    func failedWriteKeepsPrevious() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let database = try Database()
        let connection = try database.connect()
        let writer = ExtractWriter(layout: layout)
        let first = try writer.writeTable(id: "orders", query: "SELECT i AS id FROM range(1000) t(i)", on: connection)
        try writer.publish([first])
        let firstFile = layout.directory.appendingPathComponent(first.files[0].path)
        let before = try sha256sum(firstFile)

        #expect(throws: ExtractError.self) {
            try writer.writeTable(id: "orders", query: "SELECT CASE WHEN i > 250000 THEN error('source went away') ELSE i END AS id FROM range(400000) t(i)",
                                  on: connection)
        }
        #expect(try sha256sum(firstFile) == before)
        #expect(try writer.tables() == [first])
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.dataDirectory.path) == [firstFile.lastPathComponent])

        // A new version is written beside the old one; publishing it drops the old one (and a legacy-named file).
        try Data("legacy".utf8).write(to: layout.parquetFile(tableId: "orders"))
        let second = try writer.writeTable(id: "orders", query: "SELECT i AS id FROM range(2000) t(i)", on: connection)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: layout.dataDirectory.path))
                == [firstFile.lastPathComponent, "orders.parquet", URL(fileURLWithPath: second.files[0].path).lastPathComponent])
        try writer.publish([second])
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.dataDirectory.path) == [URL(fileURLWithPath: second.files[0].path).lastPathComponent])
    }

    @Test("publishing merges with what the extract held; removed tables lose their view and file")
    func mergeAndRemove() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let database = try Database()
        let connection = try database.connect()
        let writer = ExtractWriter(layout: layout)
        try writer.publish([try writer.writeTable(id: "a", query: "SELECT 1 AS x", on: connection)])
        try writer.publish([try writer.writeTable(id: "b", query: "SELECT 2 AS x", on: connection)])
        #expect(try writer.tables().map(\.tableId) == ["a", "b"])
        try writer.publish([], removing: ["a"])
        #expect(try writer.tables().map(\.tableId) == ["b"])
        #expect(!FileManager.default.fileExists(atPath: layout.parquetFile(tableId: "a").path))
    }

    @Test("source names and table ids that are not plain identifiers are refused")
    func names() throws {
        #expect(throws: ExtractError.self) { try ExtractLayout(extractsDirectory: root, source: "../etc") }
        #expect(throws: ExtractError.self) { try ExtractLayout(extractsDirectory: root, source: "1abc") }
        #expect(ExtractLayout.isValidSourceName("_keboola_2"))
        let connection = try Database().connect()
        #expect(throws: ExtractError.self) { try ExtractWriter(layout: layout).writeTable(id: "Orders; DROP", query: "SELECT 1", on: connection) }
    }

    struct RowGroup: Decodable {
        let row_group_id: Int64
        let row_group_num_rows: Int64
        let compression: String
    }
}
