// kill -9 of `agnes-server import-legacy` in the middle of its work (its transaction, just before the commit) leaves the
// state database as it was.
import AgnesState
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("legacy import crash", .serialized)
struct LegacyImportCrashTests {
    /// Row counts of every table of a state database, read directly.
    static func counts(_ dataDirectory: URL) throws -> [String: Int64] {
        let connection = try Database(path: dataDirectory.appendingPathComponent("state/system.duckdb").path).connect()
        var counts: [String: Int64] = [:]
        for row in try connection.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").rows() {
            let table = row[0].stringValue!
            counts[table] = try connection.scalar(Int64.self, "SELECT count(*) FROM \(table)")
        }
        return counts
    }

    @Test("kill -9 during import-legacy leaves the database as before, and the next run completes")
    func killDuringImport() async throws {
        // Minutes of blocking work in a debug build (40,000 records written, imported, killed, imported again): on a
        // thread of its own, not one of Swift's cooperative pool, which the in-process servers of other tests need.
        try await offTheCooperativePool { try Self.killDuringImportBlocking() }
    }

    static func killDuringImportBlocking() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
        try LegacyDataGenerator(records: 40_000).write(to: legacy)
        #expect(try run("agnes-server", ["migrate", "up", "--data-dir", data.path]).status == 0)
        let before = try Self.counts(data)

        // The importer stops itself (SIGKILL) once every table is merged and validated inside its transaction, just
        // before the commit (AGNES_CRASH_AT): nothing races the kill.
        let importer = Process()
        importer.executableURL = binaries.appendingPathComponent("agnes-server")
        importer.arguments = ["import-legacy", "--from", legacy.path, "--data-dir", data.path]
        importer.environment = ProcessInfo.processInfo.environment.merging(["AGNES_CRASH_AT": "legacy.mid-import"]) { $1 }
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        importer.waitUntilExit()
        #expect(importer.terminationReason == .uncaughtSignal && importer.terminationStatus == SIGKILL, "the import did not stop at legacy.mid-import")

        #expect(try Self.counts(data) == before)
        #expect(try stateProblems(data) == [])

        let rerun = try run("agnes-server", ["import-legacy", "--from", legacy.path, "--data-dir", data.path])
        #expect(rerun.status == 0)
        #expect(rerun.output.contains("validated"))
        #expect(try Self.counts(data)["knowledge_items"] == 10_000)
    }
}
