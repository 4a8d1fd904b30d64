// Benchmarks of the state layer: single-row reads and writes per repository (p50/p99 through the async API and the
// connection pool), and sustained audit appends. Prints one JSON object per figure.
//
// Usage: StateRepositoriesBenchmark [--iterations N] [--audit-seconds S] [--only NAME,NAME…]
import AgnesAPI
import AgnesState
import Foundation

struct Options {
    var iterations = 2_000
    var auditSeconds = 10.0
    /// When set, only the figures with these names (without the `state_` prefix) run.
    var only: Set<String>?

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--iterations": iterations = Int(iterator.next() ?? "") ?? iterations
            case "--audit-seconds": auditSeconds = Double(iterator.next() ?? "") ?? auditSeconds
            case "--only": only = Set((iterator.next() ?? "").split(separator: ",").map(String.init))
            default:
                FileHandle.standardError.write(Data("usage: StateRepositoriesBenchmark [--iterations N] [--audit-seconds S] [--only NAME,NAME…]\n".utf8))
                exit(2)
            }
        }
    }
}

func emit(_ fields: [String: Any]) {
    guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

/// Times `body` `iterations` times (after a short warm-up) and prints p50/p99 in ms, with the state budgets when
/// `budgeted`.
func measure(_ name: String, iterations: Int, budgeted: Bool = true, _ body: (Int) async throws -> Void) async throws {
    if let only = options.only, !only.contains(name) { return }
    for index in 0..<min(50, iterations) { try await body(index) }
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    for index in 0..<iterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body(index)
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    samples.sort()
    func percentile(_ p: Double) -> Double { (samples[min(samples.count - 1, Int(Double(samples.count) * p))] * 1000).rounded() / 1000 }
    var figure: [String: Any] = ["bench": "state_\(name)", "unit": "ms", "p50": percentile(0.5), "p99": percentile(0.99), "n": iterations]
    if budgeted {
        figure["budget_p50_max"] = 1
        figure["budget_p99_max"] = 5
    }
    emit(figure)
}

let options = Options(arguments: CommandLine.arguments)
let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-state-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: dataDirectory) }
let store = try StateStore.open(dataDirectory: dataDirectory)

// A realistic amount of state: 2,000 users, 1,000 registered tables with sync state, 2,000 tokens.
let users = UsersRepository(store: store), registry = RegistryRepository(store: store), sync = SyncStateRepository(store: store)
let tokens = PersonalAccessTokensRepository(store: store), groups = GroupsRepository(store: store)
let knowledge = KnowledgeRepository(store: store), templates = TemplatesRepository(store: store)
var userIds: [String] = []
for index in 0..<2_000 { userIds.append(try await users.create(email: "user\(index)@example.com", name: "User \(index)").id) }
for index in 0..<1_000 {
    try await registry.upsert(RegisteredTable(id: "table_\(index)", name: "Table \(index)", sourceName: "src", primaryKey: ["id"]))
    try await sync.record(tableId: "table_\(index)", SyncResult(startedAt: Date(), finishedAt: Date(), trigger: "bench",
                                                                 outcome: .succeeded(rows: 10, bytes: 100, columns: 3, sha256: nil, md5: nil, schemaHash: nil, files: nil)))
}
for index in 0..<2_000 {
    _ = try await tokens.create(userId: userIds[index % userIds.count], name: "t\(index)", tokenHash: "hash\(index)", prefix: "p", expiresAt: nil)
}
let item = try await knowledge.propose(KnowledgeDraft(title: "Bench item"), by: nil)
let groupId = try await groups.create(name: "Bench", createdBy: nil).id

let n = options.iterations
// The connection pool's round trip alone (hand a no-op to a pool thread and get its result back), part of every figure.
try await measure("pool_round_trip", iterations: n) { _ in try await store.read { _ in () } }
try await measure("users_get", iterations: n) { _ = try await users.get(id: userIds[$0 % userIds.count]) }
try await measure("users_find_email", iterations: n) { _ = try await users.find(email: "USER\($0 % 2_000)@example.com") }
try await measure("users_record_login", iterations: n) { try await users.recordLogin(id: userIds[$0 % userIds.count]) }
try await measure("users_create", iterations: n) { _ = try await users.create(email: "new\($0)-\(UUID().uuidString)@example.com") }
try await measure("registry_get", iterations: n) { _ = try await registry.get(id: "table_\($0 % 1_000)") }
try await measure("registry_upsert", iterations: n) {
    // A real change each time (the description), as when an admin edits a table.
    try await registry.upsert(RegisteredTable(id: "table_\($0 % 1_000)", name: "Table \($0 % 1_000)", sourceName: "src", primaryKey: ["id"],
                                              description: "revision \($0)"))
}
try await measure("sync_state_get", iterations: n) { _ = try await sync.state(tableId: "table_\($0 % 1_000)") }
try await measure("sync_record", iterations: n) {
    try await sync.record(tableId: "table_\($0 % 1_000)", SyncResult(startedAt: Date(), finishedAt: Date(), trigger: "bench",
                                                                      outcome: .succeeded(rows: 11, bytes: 110, columns: 3, sha256: nil, md5: nil, schemaHash: nil, files: nil)))
}
try await measure("pat_find_usable", iterations: n) { _ = try await tokens.findUsable(tokenHash: "hash\($0 % 2_000)") }
var tokenIds: [String] = []
for index in 0..<2_000 { tokenIds.append(try await tokens.findUsable(tokenHash: "hash\(index)")!.id) }
try await measure("pat_record_use", iterations: n) { try await tokens.recordUse(id: tokenIds[$0 % tokenIds.count], ip: "127.0.0.1") }
try await measure("groups_add_member", iterations: n) {
    try await groups.addMember(userId: userIds[$0 % userIds.count], groupId: groupId, source: .admin, addedBy: nil)
}
// A first vote per user (the warm-up's 50 users vote again), then every user changes their vote.
try await measure("knowledge_vote", iterations: n) { try await knowledge.vote(itemId: item.id, userId: userIds[$0 % userIds.count], vote: $0 % 2 == 0 ? 1 : -1) }
try await measure("knowledge_vote_change", iterations: n) {
    try await knowledge.vote(itemId: item.id, userId: userIds[$0 % userIds.count], vote: $0 % 2 == 0 ? -1 : 1)
}
try await measure("templates_get", iterations: n) { _ in _ = try await templates.get(key: "claude_md") }

// The floor under those figures: the repositories' statements run inline on one connection (see EngineFloor.swift).
let engineConnection = try store.embeddedDatabase!.connect()
try await measureEngineFloor(engineConnection, userIds: userIds, iterations: n)
engineConnection.close()

// What a durable audit entry (one per acknowledged change, group-committed before the response) costs: one writer
// alone, and 32 writers at once, whose entries share commits.
let durableAudit = AuditLog(store: store)
try await measure("audit_record_durable", iterations: n, budgeted: false) { index in
    try await durableAudit.recordDurably(AuditEntry(userId: "user\(index % 100)", action: "group.create", resource: "group:\(index)",
                                                   result: "success", durationMs: 2))
}
if options.only?.contains("audit_record_durable_32") ?? true {
    let writers = 32, perWriter = max(1, n / 8)
    let began = DispatchTime.now().uptimeNanoseconds
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for writer in 0..<writers {
            group.addTask {
                var samples: [Double] = []
                for index in 0..<perWriter {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try await durableAudit.recordDurably(AuditEntry(userId: "user\(writer)", action: "grant.create", resource: "grant:\(index)"))
                    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                return samples
            }
        }
        var all: [Double] = []
        for try await samples in group { all += samples }
        return all.sorted()
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
    func percentile(_ p: Double) -> Double { (latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000).rounded() / 1000 }
    emit(["bench": "state_audit_record_durable_32", "unit": "ms", "p50": percentile(0.5), "p99": percentile(0.99), "n": latencies.count,
          "rows_per_s": Int(Double(latencies.count) / seconds)])
}

// Sustained audit appends: one producer records entries as fast as it can; the flusher writes every 200 ms.
if let only = options.only, !only.contains("audit_append_sustained") {
    try await store.close()
    exit(0)
}
let audit = AuditLog(store: store)
try audit.start()
let started = Date()
var produced = 0
while Date().timeIntervalSince(started) < options.auditSeconds {
    for _ in 0..<1_000 {
        audit.record(AuditEntry(userId: "user1", action: "query", resource: "table_1", params: #"{"sql": "SELECT 1"}"#, durationMs: 3))
    }
    produced += 1_000
    // Keep the producer from running ahead of what the flusher can write, so the figure is a sustained rate.
    while audit.pendingCount > 200_000 { try await Task.sleep(for: .milliseconds(5)) }
}
try await audit.close()
let elapsed = Date().timeIntervalSince(started)
let written = try await store.read { try $0.scalar(Int64.self, "SELECT count(*) FROM audit_log") } ?? 0
emit(["bench": "audit_append_sustained", "unit": "rows/s", "value": Int(Double(written) / elapsed), "rows": written,
      "produced": produced, "seconds": (elapsed * 1000).rounded() / 1000, "budget_min": 50_000])
try await store.close()
