// Benchmark: what table data on DuckLake costs (docs/scale-out.md). On a PostgreSQL state, one table of N rows (five
// columns, parquet source) is synced with the lake off and on, three times each; prints the median sync time of each
// and their ratio, and the engine rebuild time after a sync with the lake (the changed table's version files read
// from the catalog) next to the rebuild without it; then one run of 100 tiny tables with the lake off and on (what
// the lake adds per table). One JSON line per figure.
// Usage: LakeBenchmark --state-url postgres://… [--rows 2000000]
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

var rows = 2_000_000
var stateURL: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--rows": rows = arguments.next().flatMap { Int($0) } ?? rows
    case "--state-url": stateURL = arguments.next()
    default: break
    }
}
guard let stateURL, let location = try? StateLocation.PostgreSQL(url: stateURL) else {
    FileHandle.standardError.write(Data("usage: LakeBenchmark --state-url postgres://user:password@host:port/database [--rows N]\n".utf8))
    exit(2)
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-lake-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: root) }
let files = root.appendingPathComponent("files")
try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
let maker = try Database().connect()
try maker.execute("""
    COPY (SELECT i AS id, 'customer ' || (i % 5000) AS customer, (i % 1000) * 1.25 AS amount, DATE '2024-01-01' + (i % 700)::INTEGER AS day,
                 md5(i::VARCHAR) AS note FROM range(\(rows)) t(i))
    TO '\(files.appendingPathComponent("orders.parquet").path)' (FORMAT parquet)
    """)
maker.close()

let state = try StateStore.open(dataDirectory: root.appendingPathComponent("data"), location: .postgreSQL(location))
_ = try await DataSourcesRepository(store: state).upsert(name: "shop", type: "files", config: #"{"directory":"\#(files.path)"}"#, secretEnv: [])
var orders = RegisteredTable(id: "orders", name: "orders")
orders.sourceName = "shop"
orders.sourceTable = "orders.parquet"
_ = try await RegistryRepository(store: state).upsert(orders)

var timings: [Bool: (sync: [Double], rebuild: [Double])] = [:]
for lakeOn in [false, true] {
    let lake = lakeOn ? DataLake(catalog: location, dataDirectory: root.appendingPathComponent("data")) : nil
    let plane = DataPlane(state: state, dataDirectory: root.appendingPathComponent("data"), settings: EngineSettings(lake: lake))
    var sync: [Double] = [], rebuild: [Double] = []
    for _ in 0..<3 {
        let started = ContinuousClock.now
        let outcomes = try await plane.syncAndWait(["orders"], trigger: "benchmark")
        guard outcomes.first?.error == nil else { fatalError("the sync failed: \(outcomes)") }
        sync.append(seconds(ContinuousClock.now - started))
        let rebuilt = ContinuousClock.now
        try await plane.rebuild()
        rebuild.append(seconds(ContinuousClock.now - rebuilt))
    }
    timings[lakeOn] = (sync, rebuild)
}
// 100 tiny tables in one run.
for index in 0..<100 {
    try "id,name\n\(index),t\(index)\n".write(to: files.appendingPathComponent("t\(index).csv"), atomically: false, encoding: .utf8)
    var table = RegisteredTable(id: "t\(index)", name: "t\(index)")
    table.sourceName = "shop"
    table.sourceTable = "t\(index).csv"
    _ = try await RegistryRepository(store: state).upsert(table)
}
var tiny: [Bool: Double] = [:]
for lakeOn in [false, true] {
    let lake = lakeOn ? DataLake(catalog: location, dataDirectory: root.appendingPathComponent("data")) : nil
    let plane = DataPlane(state: state, dataDirectory: root.appendingPathComponent("data"), settings: EngineSettings(lake: lake))
    let started = ContinuousClock.now
    let outcomes = try await plane.syncAndWait((0..<100).map { "t\($0)" }, trigger: "benchmark")
    guard outcomes.allSatisfy({ $0.error == nil }) else { fatalError("a sync failed: \(outcomes.compactMap(\.error).prefix(3))") }
    tiny[lakeOn] = seconds(ContinuousClock.now - started)
}
try await state.close()
emit(["benchmark": "lake", "figure": "sync_100_tiny_tables_seconds_extract_only", "value": tiny[false]!])
emit(["benchmark": "lake", "figure": "sync_100_tiny_tables_seconds_with_lake", "value": tiny[true]!])

let off = timings[false]!, on = timings[true]!
emit(["benchmark": "lake", "figure": "sync_seconds_extract_only", "rows": rows, "value": median(off.sync)])
emit(["benchmark": "lake", "figure": "sync_seconds_with_lake", "rows": rows, "value": median(on.sync)])
emit(["benchmark": "lake", "figure": "sync_with_lake_vs_extract_only", "value": (median(on.sync) / median(off.sync) * 100).rounded() / 100])
emit(["benchmark": "lake", "figure": "rebuild_ms_extract_only", "value": (median(off.rebuild) * 1000 * 10).rounded() / 10])
emit(["benchmark": "lake", "figure": "rebuild_ms_with_lake", "value": (median(on.rebuild) * 1000 * 10).rounded() / 10])
