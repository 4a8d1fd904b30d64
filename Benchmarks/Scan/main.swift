// Benchmark: a snapshot scan answered as an Arrow IPC stream (what upstream clients read) against the same scan as
// zstd parquet (what our CLI reads), over one 10M-row × 5-column parquet extract, through `ScanRunner` as the server
// runs it. Figures: rows per second of each, their ratio (budget: Arrow ≥ 0.8 × parquet), and how much this process's
// resident memory grew while the Arrow stream was written (budget < 50 MiB: one chunk in memory at a time).
// Usage: ScanBenchmark [--rows 10000000]
import AgnesData
import DuckDB
import Foundation
import Synchronization

var rows = 10_000_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--rows", let value = arguments.next().flatMap({ Int($0) }) { rows = value }
}

func emit(_ fields: [String: Any]) {
    print(String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self))
    fflush(nil)
}

/// Resident memory of this process, from /proc/self/statm.
func residentBytes() -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-scan-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let extract = folder.appendingPathComponent("orders.parquet")
do {
    let connection = try Database().connect()
    try connection.execute("""
        COPY (SELECT i AS id, i * 0.25 AS amount, ['paid', 'shipped', 'refunded'][i % 3 + 1] AS status,
                     DATE '2024-01-01' + (i % 700)::INTEGER AS day, i % 2 = 0 AS flag FROM range(\(rows)) t(i))
        TO '\(extract.path)' (FORMAT parquet, COMPRESSION zstd)
        """)
}
let source = ScanSource.files([extract.path])
let select = "SELECT id, amount, status, day, flag FROM \(source.relation)"

/// Resident memory before any scan ran: growth is measured from here (memory a scan took and the allocator kept counts).
let baseline = residentBytes()

func run(_ format: ScanFormat) throws -> (seconds: Double, bytes: Int, rows: Int64, growth: Int) {
    let output = folder.appendingPathComponent("out.\(format.fileExtension)")
    defer { try? FileManager.default.removeItem(at: output) }
    let before = baseline
    let peak = Mutex(before)
    let sampling = Atomic(true)
    let sampler = Thread {
        while sampling.load(ordering: .relaxed) {
            let now = residentBytes()
            peak.withLock { $0 = max($0, now) }
            usleep(5_000)
        }
    }
    sampler.start()
    let started = ContinuousClock.now
    let written = try ScanRunner.copy(select, source: source, to: output, format: format, deadline: QueryDeadline(milliseconds: 600_000))
    let elapsed = ContinuousClock.now - started
    sampling.store(false, ordering: .relaxed)
    usleep(20_000)
    let size = (try FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (seconds, size, written, peak.withLock { $0 } - before)
}

// The Arrow scans first, so the memory figure is theirs alone; then the parquet ones.
let arrow = try (0..<3).map { _ in try run(.arrow) }
let parquet = try (0..<3).map { _ in try run(.parquet) }
let parquetBest = parquet.min { $0.seconds < $1.seconds }!, arrowBest = arrow.min { $0.seconds < $1.seconds }!
precondition(parquetBest.rows == Int64(rows) && arrowBest.rows == Int64(rows), "a scan lost rows")
emit(["benchmark": "scan", "figure": "parquet_rows_per_second", "value": Int(Double(rows) / parquetBest.seconds), "bytes": parquetBest.bytes])
emit(["benchmark": "scan", "figure": "arrow_rows_per_second", "value": Int(Double(rows) / arrowBest.seconds), "bytes": arrowBest.bytes])
emit(["benchmark": "scan", "figure": "arrow_to_parquet_rate_ratio", "value": (parquetBest.seconds / arrowBest.seconds * 100).rounded() / 100, "budget": 0.8])
emit(["benchmark": "scan", "figure": "arrow_rss_growth_mib", "value": arrow.map(\.growth).max()! / (1 << 20), "budget": 50])
