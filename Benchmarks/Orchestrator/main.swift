// Benchmark: rebuilding the query engine over 1,000 registered tables in 10 extracts (SPEC §13: < 2 s).
// Prints one JSON object per figure.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-orchestrator-\(UUID().uuidString)")
let extracts = root.appendingPathComponent("extracts")
defer { try? FileManager.default.removeItem(at: root) }

let sources = 10, tablesPerSource = 100
let connection = try Database().connect()
var registry: [RegisteredTable] = []
let setupStarted = ContinuousClock.now
for sourceIndex in 0..<sources {
    let source = "source_\(sourceIndex)"
    let writer = ExtractWriter(layout: try ExtractLayout(extractsDirectory: extracts, source: source))
    var tables: [ExtractedTable] = []
    for tableIndex in 0..<tablesPerSource {
        let id = "t\(sourceIndex)_\(tableIndex)"
        tables.append(try writer.writeTable(id: id, query: "SELECT i AS id, i * 2 AS value FROM range(100) t(i)", on: connection))
        var table = RegisteredTable(id: id, name: id)
        table.sourceName = source
        registry.append(table)
    }
    try writer.publish(tables)
}
let setup = ContinuousClock.now - setupStarted
FileHandle.standardError.write(Data("set up \(registry.count) tables in \(setup)\n".utf8))

let orchestrator = Orchestrator(extractsDirectory: extracts)
var samples: [Double] = []
for _ in 0..<7 {
    let report = try orchestrator.rebuild(registry: registry)
    precondition(report.served.count == registry.count, "rebuild served \(report.served.count) of \(registry.count)")
    let components = report.duration.components
    samples.append(Double(components.seconds) + Double(components.attoseconds) / 1e18)
}
samples.sort()
let p50 = samples[samples.count / 2], worst = samples.last!
let check = try await orchestrator.engine!.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM t9_99 WHERE id >= $1", 0) }
precondition(check == 100)
func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
emit(["bench": "orchestrator_rebuild", "tables": registry.count, "sources": sources, "p50": (p50 * 1000).rounded() / 1000,
      "max": (worst * 1000).rounded() / 1000, "unit": "s", "budget_max": 2])

// A grant scope (where users' SQL runs) is built on a caller's first query after a rebuild: one holding all 1,000
// tables (an administrator's) and one holding 100 (a typical group's), each timed on a fresh engine.
let registered = registry
func scopeSeconds(_ readable: Set<String>) async throws -> Double {
    try orchestrator.rebuild(registry: registered)
    let engine = orchestrator.engine!
    let started = ContinuousClock.now
    _ = try await engine.withScope(readable: readable, policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM t0_0") }
    let elapsed = (ContinuousClock.now - started).components
    return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
}
for (name, readable) in [("grant_scope_build_1000", Set(registry.map(\.id))), ("grant_scope_build_100", Set(registry.prefix(100).map(\.id)))] {
    var builds: [Double] = []
    for _ in 0..<5 { builds.append(try await scopeSeconds(readable)) }
    builds.sort()
    emit(["bench": name, "tables": readable.count, "p50": (builds[builds.count / 2] * 1000).rounded() / 1000,
          "max": (builds.last! * 1000).rounded() / 1000, "unit": "s"])
}
