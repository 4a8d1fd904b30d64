// Benchmark: a Keboola export of a 1M-row sliced table (BIGINT, DOUBLE, 8-character VARCHAR, DATE, 20-character
// VARCHAR; gzip CSV slices of 100,000 rows) from the local Storage API contract server into parquet, through a real
// sync (export job, poll, file, manifest, slice downloads, DuckDB's CSV reader, the extract writer). The contract
// server writes the slices before the clock starts, so the figure is the connector's side (issue budget ≥ 500k rows/s).
// Prints one JSON object per figure. Usage: KeboolaBenchmark [--rows 1000000]
import AgnesAPI
import AgnesData
import AgnesState
import AgnesTestSupport
import Foundation

let rows: Int = {
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        if argument == "--rows", let value = arguments.next().flatMap({ Int($0) }) { return value }
    }
    return 1_000_000
}()

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

let keboola = try KeboolaContractServer(token: "bench-token", pollsPerJob: 0, sliceRows: 100_000)
try keboola.createTable("in.c-bench.events", primaryKey: ["id"], select: """
    SELECT i AS id, i * 0.5 AS amount, printf('%08d', i % 100000000) AS code, DATE '2020-01-01' + (i % 2000)::INTEGER AS day,
           printf('customer-%011d', i) AS customer
    FROM range(\(rows)) t(i)
    """)
try keboola.prepareExport("in.c-bench.events")
setenv("KBC_BENCH_TOKEN", "bench-token", 1)

try await keboola.run { keboola in
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-keboola-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let state = try StateStore.open(dataDirectory: root.appendingPathComponent("data"))
    _ = try await DataSourcesRepository(store: state).upsert(name: "kbc", type: "keboola",
                                                             config: #"{"stack_url":"\#(keboola.base)","token_env":"KBC_BENCH_TOKEN"}"#, secretEnv: [])
    var table = RegisteredTable(id: "events", name: "events")
    table.sourceName = "kbc"
    table.sourceTable = "in.c-bench.events"
    _ = try await RegistryRepository(store: state).upsert(table)
    let plane = DataPlane(state: state, dataDirectory: root.appendingPathComponent("data"))
    let started = ContinuousClock.now
    try await plane.syncNow(["events"], trigger: "benchmark")
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let synced = try await SyncStateRepository(store: state).state(tableId: "events")
    precondition(synced?.rows == Int64(rows), "synced \(synced?.rows ?? -1) of \(rows) rows: \(synced?.error ?? "")")
    emit(["bench": "keboola_export_to_parquet", "rows": rows, "slices": (rows + 99_999) / 100_000, "unit": "rows/s",
          "value": (Double(rows) / seconds).rounded(), "seconds": (seconds * 1000).rounded() / 1000, "budget_min": 500_000])
    try await state.close()
}
