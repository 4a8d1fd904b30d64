// Benchmark: the one knowledge search (`KnowledgeSearch`, behind `/api/knowledge/search` and `agnes search`) over
// 10,000 searchable things in a real state database — 6,000 memory items, 1,000 metric definitions, 1,000 glossary
// terms, 1,000 registered tables and 1,000 described columns — as an analyst who may read half the tables, so every
// search also filters its hits by access (issue "Data packages … one knowledge search" budget: p50 < 20 ms).
// - `knowledge_search_10k_first`: the first search (builds the BM25 index).
// - `knowledge_search_10k_p50` / `_p99`: later searches of a mix of queries, 10 hits each.
// - `knowledge_search_10k_after_write_p50`: a search right after a memory item changed (the index is rebuilt).
// Usage: KnowledgeSearchBenchmark
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import Foundation
import Logging

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
func milliseconds(_ value: Double) -> Double { (value * 1000 * 1000).rounded() / 1000 }
func percentile(_ samples: [Double], _ share: Double) -> Double { samples.sorted()[min(samples.count - 1, Int(Double(samples.count) * share))] }

func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let started = ContinuousClock.now
    let value = try await body()
    return (value, seconds(ContinuousClock.now - started))
}

let words = ["revenue", "refund", "order", "customer", "churn", "session", "product", "margin", "invoice", "payment", "shipping", "discount",
             "country", "region", "monthly", "weekly", "cohort", "retention", "conversion", "funnel", "basket", "category", "inventory", "return",
             "subscription", "renewal", "trial", "activation", "campaign", "channel", "lead", "pipeline", "forecast", "quota", "target", "budget"]
func text(_ seed: Int, _ count: Int) -> String { (0..<count).map { words[(seed * 7919 + $0 * 104_729) % words.count] }.joined(separator: " ") }

let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-search-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: root) }
let data = root.appendingPathComponent("data")
try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
let state = try StateStore.open(dataDirectory: data)

// 6,000 memory items (a third of them approved), 1,000 column notes, in bulk.
try await state.write { connection in
    try connection.execute("""
        INSERT INTO knowledge_items (id, title, content, category, tags, status, created_at, updated_at)
        SELECT 'item' || i, 'Item ' || i || ' about ' || $1[1 + i % 36] || ' and ' || $1[1 + (i * 7) % 36],
               'Notes on ' || $1[1 + (i * 3) % 36] || ' ' || $1[1 + (i * 11) % 36] || ' ' || $1[1 + (i * 13) % 36] || ' for the ' || $1[1 + (i * 17) % 36] || ' team.',
               'analytics', [$1[1 + (i * 5) % 36]], CASE WHEN i % 3 = 0 THEN 'approved' ELSE 'proposed' END, now(), now()
        FROM range(6000) t(i)
        """, words)
    try connection.execute("""
        INSERT INTO column_metadata (table_id, column_name, description, updated_at)
        SELECT 't' || i, 'c' || i, 'The ' || $1[1 + (i * 3) % 36] || ' ' || $1[1 + (i * 19) % 36] || ' of the row', now() FROM range(1000) t(i)
        """, words)
}
let registry = RegistryRepository(store: state)
for index in 0..<1000 {
    _ = try await registry.upsert(RegisteredTable(id: "t\(index)", name: "t\(index)", sourceName: "bench", sourceTable: "t\(index).parquet",
                                                  folder: index.isMultiple(of: 2) ? "open" : "closed", description: "Table of \(text(index, 4))"))
}
let metrics = MetricsRepository(store: state)
for index in 0..<1000 {
    _ = try await metrics.upsert(MetricDefinition(name: "m\(index)", displayName: "Metric \(index)", category: "bench", description: "The \(text(index, 5))",
                                                  tables: ["t\(index)"], expression: "SUM(amount)", synonyms: [words[index % words.count]]))
}
try await SemanticRepository(store: state).save((0..<1000).map { index in
    GlossaryTerm(id: "term-\(index)", term: "Term \(index) \(words[index % words.count])", definition: "Means \(text(index, 6))", seeAlso: [],
                 synonyms: [words[(index * 5) % words.count]], source: "manual", sourceRef: nil, updatedAt: Date())
}, by: nil)

let domain = Domain(settings: DomainSettings(dataDirectory: data, serverURL: "http://127.0.0.1"), state: state,
                    dataPlane: DataPlane(state: state, dataDirectory: data), mailer: LogMailer(logger: Logger(label: "bench")),
                    passwords: PasswordHasher(cost: 4), logger: Logger(label: "bench"))
let user = try await UsersRepository(store: state).create(email: "analyst@example.com")
let group = try await GroupsRepository(store: state).create(name: "analysts", createdBy: nil)
try await GroupsRepository(store: state).addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: nil)
_ = try await GrantsRepository(store: state).grant(groupId: group.id, type: .tableFolder, resourceId: "open", assignedBy: nil)
let caller = Caller(identity: Identity(user: user, kind: .session, groupIds: [group.id], isAdmin: false))

let queries = ["revenue refund", "churn cohort retention", "monthly invoice", "customer country", "conversion funnel", "shipping return",
               "subscription renewal trial", "campaign channel lead", "inventory category", "forecast quota budget"]
let (first, firstSeconds) = try await timed { try await domain.knowledge.search(queries[0], limit: 10, for: caller) }
precondition(first.count == 10, "the first search found \(first.count) hits")
emit(["bench": "knowledge_search_10k_first", "documents": 10_000, "unit": "ms", "value": milliseconds(firstSeconds)])
var samples: [Double] = []
var kinds: Set<KnowledgeKind> = []
for round in 0..<100 {
    let (found, elapsed) = try await timed { try await domain.knowledge.search(queries[round % queries.count], limit: 10, for: caller) }
    precondition(found.results.allSatisfy { $0.type != .table || Int($0.id.dropFirst())!.isMultiple(of: 2) }, "a hit the analyst may not read")
    kinds.formUnion(found.results.map(\.type))
    samples.append(elapsed)
}
emit(["bench": "knowledge_search_10k_p50", "documents": 10_000, "unit": "ms", "value": milliseconds(percentile(samples, 0.5)), "budget_max": 20,
      "kinds": kinds.map(\.rawValue).sorted().joined(separator: ",")])
emit(["bench": "knowledge_search_10k_p99", "documents": 10_000, "unit": "ms", "value": milliseconds(percentile(samples, 0.99))])
var afterWrite: [Double] = []
for round in 0..<5 {
    try await state.write { try $0.execute("UPDATE knowledge_items SET updated_at = now() WHERE id = $1", "item\(round)") }
    afterWrite.append(try await timed { try await domain.knowledge.search(queries[round], limit: 10, for: caller) }.1)
}
emit(["bench": "knowledge_search_10k_after_write_p50", "documents": 10_000, "unit": "ms", "value": milliseconds(percentile(afterWrite, 0.5))])
try await state.close()
