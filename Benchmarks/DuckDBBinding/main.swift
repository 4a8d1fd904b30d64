// Benchmarks of the DuckDB binding: typed reads vs the DuckDB CLI and the engine's own copy, bulk append, and
// prepared point lookups. Prints one JSON object per figure.
//
// Usage: DuckDBBindingBenchmark --duckdb-cli PATH [--rows N] [--lookups N] [--threads N]
import DuckDB
import Foundation

struct Options {
    var cli = ".deps/duckdb-cli/duckdb"
    var rows = 10_000_000
    var lookups = 100_000
    var threads = ProcessInfo.processInfo.activeProcessorCount

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--duckdb-cli": cli = iterator.next() ?? cli
            case "--rows": rows = Int(iterator.next() ?? "") ?? rows
            case "--lookups": lookups = Int(iterator.next() ?? "") ?? lookups
            case "--threads": threads = Int(iterator.next() ?? "") ?? threads
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\nusage: DuckDBBindingBenchmark [--duckdb-cli PATH] [--rows N] [--lookups N] [--threads N]\n".utf8))
                exit(2)
            }
        }
    }
}

func emit(_ fields: [String: Any]) {
    guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else {
        fail("could not encode \(fields) as JSON")
    }
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

/// Stops the benchmark with a message on standard error.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("DuckDBBindingBenchmark: \(message)\n".utf8))
    exit(1)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

let options = Options(arguments: CommandLine.arguments)
let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-\(getpid())")
try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: workDirectory) }
let databasePath = workDirectory.appendingPathComponent("bench.duckdb").path
let configuration = Database.Configuration(threads: options.threads)

// The table every figure uses: BIGINT, DOUBLE, VARCHAR, TIMESTAMP.
let createSQL = """
    CREATE TABLE events AS
    SELECT i::BIGINT AS id,
           (i % 100000) / 7.0 AS amount,
           'customer_' || (i % 250000)::VARCHAR AS name,
           TIMESTAMP '2020-01-01' + to_seconds(i) AS created_at
    FROM range(\(options.rows)) AS t(i)
    """

do {
    let database = try Database(path: databasePath, configuration: configuration)
    let connection = try database.connect()
    try connection.execute(createSQL)
    connection.close()
    database.close()
}

// (a) Typed read of SELECT * into Swift arrays, against the CLI writing CSV and the engine copying into a temp table.
var ids: [Int64] = [], amounts: [Double] = [], names: [String] = [], times: [Int64] = []
let database = try Database(path: databasePath, configuration: configuration)
let connection = try database.connect()
_ = try connection.scalar(Int64.self, "SELECT count(*) FROM events")  // warm the buffer pool

var readSeconds = Double.infinity
for _ in 0..<3 {
    ids = []; amounts = []; names = []; times = []
    let elapsed = try seconds {
        let result = try connection.query("SELECT * FROM events")
        while let chunk = try result.nextChunk() {
            try chunk.column(0).append(to: &ids)
            try chunk.column(1).append(to: &amounts)
            try chunk.column(2).append(to: &names)
            try chunk.column(3).append(to: &times)
        }
    }
    readSeconds = min(readSeconds, elapsed)
}
if ids.count != options.rows || names.count != options.rows { fail("read \(ids.count) rows, expected \(options.rows)") }

var copySeconds = Double.infinity
for attempt in 0..<3 {
    copySeconds = min(copySeconds, try seconds { try connection.execute("CREATE TEMP TABLE copy_\(attempt) AS SELECT * FROM events") })
}
connection.close()
database.close()

var cliSeconds = Double.infinity
for _ in 0..<3 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.cli)
    process.arguments = ["-readonly", "-csv", "-c", "SET threads=\(options.threads); SELECT * FROM events;", databasePath]
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    let elapsed = try seconds {
        try process.run()
        process.waitUntilExit()
    }
    guard process.terminationStatus == 0 else { fail("the DuckDB CLI at \(options.cli) exited with \(process.terminationStatus)") }
    cliSeconds = min(cliSeconds, elapsed)
}

emit(["bench": "typed_read_select_star", "unit": "s", "seconds": round3(readSeconds), "rows": options.rows,
      "rows_per_s": Int(Double(options.rows) / readSeconds), "threads": options.threads])
emit(["bench": "duckdb_cli_csv_to_devnull", "unit": "s", "seconds": round3(cliSeconds), "rows": options.rows])
emit(["bench": "duckdb_create_temp_table_as_select", "unit": "s", "seconds": round3(copySeconds), "rows": options.rows])
emit(["bench": "typed_read_vs_cli_csv", "unit": "ratio", "value": round3(cliSeconds / readSeconds), "budget_min": 1.5])
emit(["bench": "typed_read_vs_engine_copy", "unit": "ratio", "value": round3(copySeconds / readSeconds), "budget_min": 0.25])

// (b) Bulk append of the same four columns through data chunks.
do {
    let appendDatabase = try Database(configuration: configuration)
    let appendConnection = try appendDatabase.connect()
    try appendConnection.execute("CREATE TABLE appended (id BIGINT, amount DOUBLE, name VARCHAR, created_at TIMESTAMP)")
    var appendSeconds = 0.0
    appendSeconds = try seconds {
        let appender = try appendConnection.appender(table: "appended")
        try appender.appendColumns([AppendColumn(ids), AppendColumn(amounts), AppendColumn(names), AppendColumn(times)])
        try appender.close()
    }
    let count = try appendConnection.scalar(Int64.self, "SELECT count(*) FROM appended") ?? 0
    if count != options.rows { fail("appended \(count) rows, expected \(options.rows)") }
    emit(["bench": "bulk_append_4_columns", "unit": "rows/s", "value": Int(Double(options.rows) / appendSeconds),
          "seconds": round3(appendSeconds), "rows": options.rows, "budget_min": 3_000_000])
}

// (c) Prepared point lookup by primary key.
do {
    let lookupDatabase = try Database(configuration: configuration)
    let lookupConnection = try lookupDatabase.connect()
    let tableRows = 1_000_000
    try lookupConnection.execute("""
        CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR, balance DOUBLE);
        INSERT INTO customers SELECT i, 'customer_' || i::VARCHAR, i / 3.0 FROM range(\(tableRows)) t(i);
        """)
    let statement = try lookupConnection.prepare("SELECT name, balance FROM customers WHERE id = $1")
    var generator = SystemRandomNumberGenerator()
    var latencies: [UInt64] = []
    latencies.reserveCapacity(options.lookups)
    var found = 0
    for _ in 0..<options.lookups {
        let id = Int64.random(in: 0..<Int64(tableRows), using: &generator)
        let start = DispatchTime.now().uptimeNanoseconds
        try statement.bind(id, at: 1)
        let result = try statement.queryMaterialized()
        if let chunk = try result.nextChunk(), chunk.count == 1, chunk.column(0).string(at: 0) != nil { found += 1 }
        latencies.append(DispatchTime.now().uptimeNanoseconds - start)
    }
    if found != options.lookups { fail("found \(found) of \(options.lookups) rows") }
    latencies.sort()
    func percentile(_ p: Double) -> Double { Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1000 }
    emit(["bench": "prepared_point_lookup", "unit": "us", "p50": round3(percentile(0.50)), "p99": round3(percentile(0.99)),
          "n": options.lookups, "budget_p50_max": 50])
}
