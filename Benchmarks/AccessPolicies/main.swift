// Benchmark: what access policies cost (issue "Governed access" budgets). Prints one JSON object per figure.
// - `policy_query_ratio`: `/api/query`'s engine path over a policied 10M-row table ÷ the same query unpolicied (the
//   caller sees every row, so the answers are the same; budget ≤ 1.25).
// - `policy_slice_ratio`: materializing a caller's slice of that table (written, digested, renamed) ÷ a plain parquet
//   copy of the table (budget ≤ 2).
// - `manifest_policied_100_*`: the manifest of a user with 100 policied tables, after the first call (budget p50 < 5 ms),
//   cached and after an unrelated state write.
// Usage: AccessPolicyBenchmark [--rows 10000000]
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import DuckDB
import Foundation
import Logging

var rows = 10_000_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--rows", let value = arguments.next().flatMap({ Int($0) }) { rows = value }
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let started = ContinuousClock.now
    let value = try await body()
    return (value, seconds(ContinuousClock.now - started))
}

func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-policies-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: root) }
let files = root.appendingPathComponent("files"), data = root.appendingPathComponent("data")
try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
let units = (0..<8).map { "unit_\($0)" }
do {
    let database = try Database()
    defer { database.close() }
    let connection = try database.connect()
    defer { connection.close() }
    try connection.execute("""
        COPY (SELECT i AS id, 'unit_' || (i % 8) AS unit, (i % 1000) / 10.0 AS amount, 'secret ' || (i * 7919 % 100003) AS secret
              FROM range(\(rows)) t(i)) TO \(SQL.literal(files.appendingPathComponent("big.parquet").path)) (FORMAT parquet, COMPRESSION zstd)
        """)
}
let small = (0..<100).map { "\($0),unit_\($0 % 8),\(Double($0) * 1.5)" }.joined(separator: "\n")
for index in 0..<100 { try "id,unit,amount\n\(small)\n".write(to: files.appendingPathComponent("t\(index).csv"), atomically: false, encoding: .utf8) }

let state = try StateStore.open(dataDirectory: data)
_ = try await DataSourcesRepository(store: state).upsert(name: "bench", type: "files", config: #"{"directory":"\#(files.path)"}"#, secretEnv: [])
let registry = RegistryRepository(store: state)
var big = RegisteredTable(id: "big", name: "big", sourceName: "bench", sourceTable: "big.parquet")
_ = try await registry.upsert(big)
for index in 0..<100 {
    _ = try await registry.upsert(RegisteredTable(id: "t\(index)", name: "t\(index)", sourceName: "bench", sourceTable: "t\(index).csv"))
}
let plane = DataPlane(state: state, dataDirectory: data)
let (_, syncSeconds) = try await timed { try await plane.syncNow(nil, trigger: "benchmark") }
log("synced \(rows) rows + 100 small tables in \(syncSeconds) s")

// The policies: the big table by unit (the caller is in every unit's group), each small table by one group.
big.accessPolicySQL = "SELECT * EXCLUDE (secret) FROM big WHERE list_contains($user_groups, unit)"
big.accessPolicyNote = "benchmark"
_ = try await registry.upsert(big)
for index in 0..<100 {
    var table = try await registry.get(id: "t\(index)")!
    table.accessPolicySQL = "SELECT * FROM t\(index) WHERE list_contains($user_groups, 'readers')"
    table.accessPolicyNote = "benchmark"
    _ = try await registry.upsert(table)
}
_ = try await plane.rebuild()
let engine = plane.orchestrator.engine!
let caller = PolicyCaller(email: "bench@example.com", userId: "bench", groups: units + ["readers"])

// 1. The query.
let sql = "SELECT unit, count(*) AS n, sum(amount) AS total FROM big GROUP BY unit ORDER BY unit"
func run(_ policies: PolicyEnforcement) async throws -> Double {
    let (result, elapsed) = try await timed {
        try await QueryRunner.run(sql, limit: 100, timeoutMilliseconds: 600_000, on: engine, readable: ["big"], policies: policies)
    }
    precondition(result.rowCount == 8, "expected 8 units, got \(result.rowCount)")
    return elapsed
}
_ = try await run(.bypass)
_ = try await run(.enforce(caller))
var plain: [Double] = [], policied: [Double] = []
for _ in 0..<15 {
    plain.append(try await run(.bypass))
    policied.append(try await run(.enforce(caller)))
}
emit(["bench": "policy_query_plain_p50", "rows": rows, "unit": "ms", "value": (median(plain) * 1000).rounded()])
emit(["bench": "policy_query_policied_p50", "rows": rows, "unit": "ms", "value": (median(policied) * 1000).rounded()])
emit(["bench": "policy_query_ratio", "rows": rows, "unit": "x", "value": (median(policied) / median(plain) * 100).rounded() / 100, "budget_max": 1.25])

// 2. The slice against a plain copy.
guard case let .parquet(bigFiles)? = engine.tables["big"]?.rows else { fatalError("big is not served from parquet") }
let scratch = root.appendingPathComponent("copies")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
let slices = PolicySlices(directory: root.appendingPathComponent("slices"))
var copies: [Double] = [], sliced: [Double] = []
for round in 0..<3 {
    let output = scratch.appendingPathComponent("copy-\(round).parquet")
    let source = ScanSource.files(bigFiles)
    copies.append(try await timed {
        try ScanRunner.copy("SELECT * FROM \(source.relation) AS t", source: source, to: output, deadline: QueryDeadline(milliseconds: 3_600_000))
    }.1)
    try FileManager.default.removeItem(at: output)
    let policiedSource = try engine.policiedScanSource(of: "big", files: bigFiles, for: caller)!
    let (slice, elapsed) = try await timed { try slices.slice(tableId: "big", version: "v\(round)", values: "bench", source: policiedSource) }
    precondition(slice.rows == Int64(rows), "the slice has \(slice.rows) rows")
    sliced.append(elapsed)
}
emit(["bench": "policy_plain_copy_p50", "rows": rows, "unit": "ms", "value": (median(copies) * 1000).rounded()])
emit(["bench": "policy_slice_p50", "rows": rows, "unit": "ms", "value": (median(sliced) * 1000).rounded()])
emit(["bench": "policy_slice_ratio", "rows": rows, "unit": "x", "value": (median(sliced) / median(copies) * 100).rounded() / 100, "budget_max": 2])

// 3. The manifest of a user with 100 policied tables (and the big one).
let domain = Domain(settings: DomainSettings(dataDirectory: data, serverURL: "http://127.0.0.1"), state: state, dataPlane: plane,
                    mailer: LogMailer(logger: Logger(label: "bench")), passwords: PasswordHasher(cost: 4), logger: Logger(label: "bench"))
let user = try await UsersRepository(store: state).create(email: "bench@example.com")
for name in units + ["readers"] {
    let group = try await GroupsRepository(store: state).create(name: name, createdBy: nil)
    try await GroupsRepository(store: state).addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: nil)
    _ = try await GrantsRepository(store: state).grant(groupId: group.id, type: .tableFolder, resourceId: "none", assignedBy: nil)
}
let readers = try await GroupsRepository(store: state).find(name: "readers")!
for index in 0..<100 { _ = try await GrantsRepository(store: state).grant(groupId: readers.id, type: .table, resourceId: "t\(index)", assignedBy: nil) }
let identity = Identity(user: user, kind: .session, groupIds: Set(units + ["readers"]), isAdmin: false)
let (first, firstSeconds) = try await timed { try await domain.manifest.manifest(for: Caller(identity: identity)) }
precondition(String(decoding: first.json(), as: UTF8.self).components(separatedBy: "\"access_policy\":true").count - 1 == 100)
emit(["bench": "manifest_policied_100_first", "tables": 100, "unit": "ms", "value": (firstSeconds * 1000).rounded()])
var cached: [Double] = [], afterWrite: [Double] = []
for round in 0..<50 {
    cached.append(try await timed { try await domain.manifest.manifest(for: Caller(identity: identity)) }.1)
    // An unrelated write: every cache of the state database starts over, the slices stay.
    _ = try await UsersRepository(store: state).update(id: user.id, name: "bench \(round)")
    afterWrite.append(try await timed { try await domain.manifest.manifest(for: Caller(identity: identity)) }.1)
}
emit(["bench": "manifest_policied_100_cached_p50", "tables": 100, "unit": "ms", "value": (median(cached) * 1000 * 1000).rounded() / 1000, "budget_max": 5])
emit(["bench": "manifest_policied_100_after_write_p50", "tables": 100, "unit": "ms", "value": (median(afterWrite) * 1000 * 1000).rounded() / 1000,
      "budget_max": 5])
try await state.close()
