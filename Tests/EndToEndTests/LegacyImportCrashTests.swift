// kill -9 of `agnes-server import-legacy` in the middle of its work leaves the state database as it was.
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("legacy import crash", .serialized)
struct LegacyImportCrashTests {
    /// Row counts of every table of a state database, read directly.
    func counts(_ dataDirectory: URL) throws -> [String: Int64] {
        let connection = try Database(path: dataDirectory.appendingPathComponent("state/system.duckdb").path).connect()
        var counts: [String: Int64] = [:]
        for row in try connection.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").rows() {
            let table = row[0].stringValue!
            counts[table] = try connection.scalar(Int64.self, "SELECT count(*) FROM \(table)")
        }
        return counts
    }

    @Test("kill -9 during import-legacy leaves the database as before, and the next run completes")
    func killDuringImport() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
        try LegacyDataGenerator(records: 40_000).write(to: legacy)
        #expect(try run("agnes-server", ["migrate", "up", "--data-dir", data.path]).status == 0)
        let before = try counts(data)

        let importer = Process()
        importer.executableURL = binaries.appendingPathComponent("agnes-server")
        importer.arguments = ["import-legacy", "--from", legacy.path, "--data-dir", data.path]
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        // The source files are copied just before writing starts: kill the process shortly after that. Polling
        // blocks this thread on purpose, so the timing does not depend on a busy Swift concurrency pool.
        let backups = data.appendingPathComponent("state/backups")
        let deadline = Date().addingTimeInterval(120)
        while importer.isRunning && Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: backups.path)) ?? []
            if names.contains(where: { $0.hasPrefix("legacy-") }) { break }
            usleep(2_000)
        }
        usleep(100_000)
        let wasRunning = importer.isRunning
        kill(importer.processIdentifier, SIGKILL)
        importer.waitUntilExit()
        #expect(wasRunning, "the import finished before it could be killed; the test proves nothing")
        #expect(importer.terminationReason == .uncaughtSignal)

        #expect(try counts(data) == before)

        let rerun = try run("agnes-server", ["import-legacy", "--from", legacy.path, "--data-dir", data.path])
        #expect(rerun.status == 0)
        #expect(rerun.output.contains("validated"))
        #expect(try counts(data)["knowledge_items"] == 10_000)
    }
}
