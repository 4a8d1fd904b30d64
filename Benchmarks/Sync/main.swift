// Benchmark: syncing N tiny tables (100 rows of CSV each) of one `files` source in one run, for N = 10, 100 and 1,000
// (SPEC §13: 1,000 in < 30 s, the cost per table flat from 10 to 1,000). Prints one JSON object per figure.
// Usage: SyncBenchmark [--tables 10,100,1000]
import AgnesAPI
import AgnesData
import AgnesState
import Foundation

var counts = [10, 100, 1_000]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--tables", let list = arguments.next() { counts = list.split(separator: ",").compactMap { Int($0) } }
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

for count in counts {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-sync-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let files = root.appendingPathComponent("files")
    try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    let rows = (0..<100).map { "\($0),name \($0),\(Double($0) * 1.5)" }.joined(separator: "\n")
    let state = try StateStore.open(dataDirectory: root.appendingPathComponent("data"))
    _ = try await DataSourcesRepository(store: state).upsert(name: "tiny", type: "files", config: #"{"directory":"\#(files.path)"}"#, secretEnv: [])
    for index in 0..<count {
        try "id,name,amount\n\(rows)\n".write(to: files.appendingPathComponent("t\(index).csv"), atomically: false, encoding: .utf8)
        var table = RegisteredTable(id: "t\(index)", name: "t\(index)")
        table.sourceName = "tiny"
        table.sourceTable = "t\(index).csv"
        _ = try await RegistryRepository(store: state).upsert(table)
    }
    let plane = DataPlane(state: state, dataDirectory: root.appendingPathComponent("data"))
    let started = ContinuousClock.now
    try await plane.syncNow(nil, trigger: "benchmark")
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let synced = try await SyncStateRepository(store: state).states().filter { $0.status == .ok }.count
    precondition(synced == count, "synced \(synced) of \(count)")
    var figure: [String: Any] = ["bench": "sync_tiny_tables_\(count)", "tables": count, "unit": "s", "value": (seconds * 1000).rounded() / 1000,
                                 "ms_per_table": (seconds * 1000 / Double(count) * 100).rounded() / 100]
    if count == 1_000 { figure["budget_max"] = 30 }
    emit(figure)
    try await state.close()
}
