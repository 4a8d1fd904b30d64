// Benchmark of `import-legacy`: generates a legacy data directory of N records (default 100,000), imports it into a
// fresh DATA_DIR and prints the wall time. Prints one JSON object per figure.
//
// Usage: LegacyImportBenchmark [--records N] [--keep DIR]
import AgnesState
import Foundation

var records = 100_000
var keep: String?
var iterator = CommandLine.arguments.dropFirst().makeIterator()
while let argument = iterator.next() {
    switch argument {
    case "--records": records = Int(iterator.next() ?? "") ?? records
    case "--keep": keep = iterator.next()
    default:
        FileHandle.standardError.write(Data("usage: LegacyImportBenchmark [--records N] [--keep DIR]\n".utf8))
        exit(2)
    }
}

let work = keep.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("agnes-legacy-bench-\(getpid())")
defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
let legacy = work.appendingPathComponent("legacy"), data = work.appendingPathComponent("data")
let counts = try LegacyDataGenerator(records: records).write(to: legacy)
// Migrate first so the figure is the import alone.
_ = try StateMaintenance(dataDirectory: data).migrate()

let started = DispatchTime.now().uptimeNanoseconds
let report = try StateMaintenance(dataDirectory: data).importLegacy(from: legacy)
let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
let total = counts.values.reduce(0, +)
guard report.validatedRecords == total else {
    FileHandle.standardError.write(Data("validated \(report.validatedRecords) of \(total) records\n".utf8))
    exit(1)
}
let fields: [String: Any] = ["bench": "legacy_import", "unit": "s", "seconds": (seconds * 1000).rounded() / 1000, "records": total,
                             "records_per_s": Int(Double(total) / seconds), "budget_max_s": 5]
print(String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self))
