// Arrow IPC streams from DuckDB results, read back by pyarrow — the reader every released upstream client uses — for
// every type Agnes tables hold, NULLs included: pyarrow re-writes what it read as parquet and DuckDB compares every
// value with its own reading of the same rows.
import DuckDB
import Foundation
import Testing

@Suite("Arrow IPC streams")
struct ArrowIPCTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let everyType = """
        SELECT (i % 100 - 50)::TINYINT AS tiny, (i - 2500)::SMALLINT AS small, i::INTEGER AS int, i::BIGINT AS big, (i % 200)::UTINYINT AS utiny,
               i::UBIGINT AS ubig, (i * 1.5)::FLOAT AS real, i * 1.25 AS dbl, (i * 12.345)::DECIMAL(18,3) AS dec18,
               (i % 999 * 0.1)::DECIMAL(4,1) AS dec4, (i * 1000000000000)::HUGEINT AS huge, 'text ' || i AS txt,
               CASE WHEN i % 3 = 0 THEN NULL ELSE 'ünï ' || i END AS maybe_text, NULL::VARCHAR AS nothing, i % 2 = 0 AS flag,
               DATE '2025-01-01' + i::INTEGER AS day, TIMESTAMP '2025-01-01 10:00:00' + INTERVAL (i) MINUTE AS ts,
               TIMESTAMPTZ '2025-01-01 10:00:00+02' + INTERVAL (i) HOUR AS tstz, TIME '10:00:00' + INTERVAL (i % 3600) SECOND AS tm,
               CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS list, {'a': i, 'b': 'x' || i} AS rec,
               [{'k': i::VARCHAR, 'v': [i * 0.5]}] AS nested, ('\\x00\\x01' || i::VARCHAR)::BLOB AS blob,
               CASE WHEN i % 7 = 0 THEN NULL ELSE i END AS maybe_int, MAP {'k': i} AS map,
               ('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS id, INTERVAL (i) DAY AS iv
        FROM range(5000) t(i)
        """

    @Test("every type, NULLs, decimals, time zones, lists, structs and maps read back by pyarrow value for value")
    func everyTypeRoundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arrow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stream = folder.appendingPathComponent("rows.arrows"), parquet = folder.appendingPathComponent("back.parquet")
        let connection = try Database().connect()
        try connection.execute("SET TimeZone = 'Europe/Prague'")
        _ = FileManager.default.createFile(atPath: stream.path, contents: nil)
        let handle = try FileHandle(forWritingTo: stream)
        let rows = try connection.query(Self.everyType).writeArrowIPC { try handle.write(contentsOf: Data($0)) }
        try handle.close()
        #expect(rows == 5000)

        let report = try Self.pyarrow(stream, parquet, drop: ["iv"])
        #expect(report["rows"] as? Int == 5000 && (report["batches"] as? Int ?? 0) >= 3)
        let types = report["types"] as? [String: String] ?? [:]
        #expect(types["dec18"] == "decimal128(18, 3)" && types["tstz"] == "timestamp[us, tz=Europe/Prague]" && types["ts"] == "timestamp[us]")
        #expect(types["list"] == "list<l: int64>" && types["day"] == "date32[day]" && types["tm"] == "time64[us]" && types["ubig"] == "uint64")
        #expect(types["iv"] == "month_day_nano_interval")
        #expect((report["intervals"] as? [[Int]]) == [[0, 0, 0], [0, 1, 0], [0, 2, 0], [0, 3, 0]])
        // Every value but the interval (parquet has no month-day-nano type) compares equal, both ways.
        let original = "SELECT COLUMNS(* EXCLUDE (iv))::VARCHAR FROM (\(Self.everyType))"
        let readBack = "SELECT COLUMNS(*)::VARCHAR FROM read_parquet('\(parquet.path)')"
        let differences = try connection.query("""
            SELECT count(*)::VARCHAR AS n FROM ((\(original) EXCEPT ALL \(readBack)) UNION ALL (\(readBack) EXCEPT ALL \(original)))
            """).rows().first?[0].stringValue
        #expect(differences == "0")
    }

    @Test("an empty result is a schema and the end of the stream; a type without an IPC form is refused by name")
    func emptyAndRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arrow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stream = folder.appendingPathComponent("empty.arrows")
        let connection = try Database().connect()
        var bytes = Data()
        #expect(try connection.query("SELECT 1 AS a, 'x' AS b WHERE false").writeArrowIPC { bytes.append(contentsOf: $0) } == 0)
        try bytes.write(to: stream)
        let report = try Self.pyarrow(stream, folder.appendingPathComponent("empty.parquet"), drop: [])
        #expect(report["rows"] as? Int == 0 && (report["types"] as? [String: String]) == ["a": "int32", "b": "string"])
        try connection.execute("CREATE TYPE mood AS ENUM ('sad', 'ok')")
        #expect(throws: DuckDBError.self) { try connection.query("SELECT 'ok'::mood AS m").writeArrowIPC { _ in } }
    }

    static func pyarrow(_ stream: URL, _ parquet: URL, drop: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv-tools/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/DuckDBTests/Arrow/read_ipc.py").path, stream.path, parquet.path] + drop
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DuckDBError(kind: .io, message: "pyarrow could not read the stream: \(String(decoding: problem, as: UTF8.self).suffix(1500))")
        }
        return report
    }
}
