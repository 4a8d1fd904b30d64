// Seeds a DATA_DIR for the data-plane HTTP benchmark (Benchmarks/DataPlane/run): a `files` source with one table of
// 10,000,000 rows (about 500 MB of parquet once synced, for the download and query figures) synced by the real
// syncer, and 1,000 small tables in 10 extracts with their sync state (for the manifest figure). Prints what it made
// to standard error; the measuring is done over HTTP by the script.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

guard let flag = CommandLine.arguments.firstIndex(of: "--data-dir"), CommandLine.arguments.count > flag + 1 else {
    FileHandle.standardError.write(Data("usage: DataPlaneBenchmark --data-dir DIR\n".utf8))
    exit(2)
}
let dataDirectory = URL(fileURLWithPath: CommandLine.arguments[flag + 1])
let rows = Int(ProcessInfo.processInfo.environment["BENCH_ROWS"] ?? "") ?? 10_000_000
func say(_ text: String) { FileHandle.standardError.write(Data("data-plane seed: \(text)\n".utf8)) }

// The state is embedded, or on PostgreSQL when AGNES_STATE_URL is set (the scale-out benchmark seeds both).
let state = try StateStore.open(dataDirectory: dataDirectory, location: try StateLocation.fromEnvironment())
let extracts = dataDirectory.appendingPathComponent("extracts")
let sourceFiles = dataDirectory.appendingPathComponent("bench-source")
try FileManager.default.createDirectory(at: sourceFiles, withIntermediateDirectories: true)

// The big table: an integer to sum, an 88-character hex string (poorly compressible) and a double.
var started = ContinuousClock.now
let maker = try Database().connect()
try maker.execute("""
    COPY (SELECT i AS x, md5(i::VARCHAR) || md5((-1 - i)::VARCHAR) || left(md5((-7 * (i + 1))::VARCHAR), 24) AS label, hash(i) % 1000000 / 7.0 AS amount FROM range(\(rows)) t(i))
    TO '\(sourceFiles.appendingPathComponent("events.parquet").path)' (FORMAT parquet, COMPRESSION zstd)
    """)
say("generated \(rows) source rows in \(ContinuousClock.now - started)")
_ = try await DataSourcesRepository(store: state).upsert(name: "bench", type: "files", config: #"{"directory":"\#(sourceFiles.path)"}"#, secretEnv: [])
let events = RegisteredTable(id: "events", name: "events", sourceName: "bench", sourceType: "files", sourceTable: "events.parquet", folder: "bench")
try await RegistryRepository(store: state).upsert(events)
started = ContinuousClock.now
let outcome = try await TableSyncer(state: state, extractsDirectory: extracts).sync(events, trigger: "bench")
guard let table = outcome.table else { fatalError("sync failed: \(outcome.error ?? "?")") }
say("synced events: \(table.rows) rows, \(table.sizeBytes) bytes in \(ContinuousClock.now - started)")

// 1,000 small tables in 10 sources, written by the extract writer and recorded as synced.
started = ContinuousClock.now
let syncState = SyncStateRepository(store: state), registry = RegistryRepository(store: state)
for sourceIndex in 0..<10 {
    let source = "small_\(sourceIndex)"
    let writer = ExtractWriter(layout: try ExtractLayout(extractsDirectory: extracts, source: source))
    var written: [ExtractedTable] = []
    for tableIndex in 0..<100 {
        let id = "t\(sourceIndex)_\(tableIndex)"
        let extracted = try writer.writeTable(id: id, query: "SELECT i AS id, i * \(tableIndex) AS value FROM range(100) t(i)", on: maker)
        written.append(extracted)
        try await registry.upsert(RegisteredTable(id: id, name: id, sourceName: source, sourceType: "files", sourceTable: "\(id).csv",
                                                  folder: tableIndex < 10 ? "sample" : tableIndex % 2 == 0 ? "even" : "odd"))
        let file = extracted.files[0]
        try await syncState.record(tableId: id, SyncResult(startedAt: Date(), finishedAt: Date(), trigger: "bench", outcome: .succeeded(
            rows: extracted.rows, bytes: extracted.sizeBytes, columns: 2, sha256: file.sha256, md5: file.md5, schemaHash: nil,
            files: String(decoding: try JSONEncoder().encode(extracted.files), as: UTF8.self))))
    }
    try writer.publish(written)
}
say("wrote and registered 1,000 small tables in \(ContinuousClock.now - started)")
try await state.close()
print(extracts.appendingPathComponent("bench").appendingPathComponent(table.files[0].path).path)
