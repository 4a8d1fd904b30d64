// Slices are named by what they hold, written once, shared, and removed when stale or idle.
@testable import AgnesData
import DuckDB
import Foundation
import Testing

@Suite("policy slices")
struct PolicySlicesTests {
    @Test("a slice is written once, found again, replaced by a new version, and removed when idle or unpolicied")
    func lifecycle() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-slices-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let source = root.appendingPathComponent("orders.parquet")
        do {
            let database = try Database()
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("COPY (SELECT i AS id, i % 3 AS unit FROM range(300) t(i)) TO \(SQL.literal(source.path)) (FORMAT parquet)")
        }
        let slices = PolicySlices(directory: root.appendingPathComponent("slices"), maximumIdle: 3600)
        let raw = ScanSource.files([source.path])
        let only = ScanSource(relation: "(SELECT * FROM \(raw.relation) AS t WHERE unit = 1)", files: [source.path], caller: nil)
        let first = try slices.slice(tableId: "orders", version: "v1", values: "a", source: only)
        #expect(first.rows == 100 && first.sha256.count == 64 && FileManager.default.fileExists(atPath: first.path))
        #expect(slices.existing(tableId: "orders", version: "v1", values: "a") == first)
        // Another process (a restart) finds it through its sidecar without writing it again.
        let restarted = PolicySlices(directory: root.appendingPathComponent("slices"))
        let modified = try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as? Date
        #expect(try restarted.slice(tableId: "orders", version: "v1", values: "a", source: only) == first)
        #expect(try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as? Date == modified)
        // A new version removes the old one; a used slice survives a sweep, an idle one does not.
        let second = try slices.slice(tableId: "orders", version: "v2", values: "a", source: raw)
        #expect(second.rows == 300 && !FileManager.default.fileExists(atPath: first.path))
        slices.retain(tables: ["orders"], now: Date().addingTimeInterval(60))
        #expect(FileManager.default.fileExists(atPath: second.path))
        slices.retain(tables: ["orders"], now: Date().addingTimeInterval(7200))
        #expect(!FileManager.default.fileExists(atPath: second.path) && !FileManager.default.fileExists(atPath: second.path + ".json"))
        // A table without a policy keeps no slices.
        _ = try slices.slice(tableId: "orders", version: "v3", values: "b", source: raw)
        slices.retain(tables: [])
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("slices/orders").path))
    }
}
