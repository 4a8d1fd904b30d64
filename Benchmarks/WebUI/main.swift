// Benchmark: server time of every web UI page with 1,000 registered tables (each with sync state, history and a
// profile) and 1,000 corporate-memory items (SPEC §10, budget < 50 ms per page). A release server runs in this process
// on 127.0.0.1; each page is fetched 50 times after a warm-up, and the server's own `Server-Timing` figure is taken.
// Prints one JSON object per page.
import AgnesAPI
import AgnesServer
import AgnesState
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

func freePort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
    defer { try? channel.close().wait() }
    return channel.localAddress?.port ?? 0
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-web-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: root) }
let port = try freePort()
let configuration = try AgnesConfiguration.load(environment: [
    "DATA_DIR": root.path, "AGNES_BCRYPT_COST": "4", "AGNES_AUTH_RATELIMIT_ENABLED": "false", "AGNES_SCHEDULER": "off",
    "SEED_ADMIN_EMAIL": "admin@example.com", "SEED_ADMIN_PASSWORD": "benchmark password",
], overrides: .init(host: "127.0.0.1", port: port))
let state = try StateStore.open(dataDirectory: root)
let services = try await ServerServices.start(configuration: configuration, state: state)

// 1,000 tables with sync state, a history row and a profile; 1,000 memory items with votes; a few metrics.
let started = ContinuousClock.now
let registry = RegistryRepository(store: state), syncs = SyncStateRepository(store: state), profiles = ProfilesRepository(store: state)
_ = try await DataSourcesRepository(store: state).upsert(name: "bench", type: "files", config: #"{"directory":"/nonexistent"}"#, secretEnv: [])
let profile = #"{"rows":1000,"columns":[{"name":"id","type":"BIGINT","null_fraction":0,"distinct_estimate":1000,"min":"0","max":"999"},"#
    + #"{"name":"label","type":"VARCHAR","null_fraction":0.1,"distinct_estimate":3,"min":"a","max":"c","top_values":[{"value":"a","count":400}]}],"#
    + #""sample":["{\"id\":1,\"label\":\"a\"}","{\"id\":2,\"label\":\"b\"}"]}"#
for index in 0..<1_000 {
    let id = "table_\(String(format: "%04d", index))"
    try await registry.upsert(RegisteredTable(id: id, name: id, sourceName: "bench", sourceType: "files", sourceTable: "\(id).csv",
                                              folder: index % 2 == 0 ? "sales" : "ops", description: "Benchmark table number \(index)"))
    try await syncs.record(tableId: id, SyncResult(startedAt: Date(), finishedAt: Date(), trigger: "bench",
                                                   outcome: .succeeded(rows: Int64(index * 10), bytes: Int64(index * 1_000), columns: 2,
                                                                       sha256: nil, md5: nil, schemaHash: nil, files: nil)))
    try await profiles.save(tableId: id, profile: profile)
}
let knowledge = KnowledgeRepository(store: state)
let admin = try await services.users.find(email: "admin@example.com")!
for index in 0..<1_000 {
    let item = try await knowledge.propose(KnowledgeDraft(title: "Fact number \(index) about revenue and orders",
                                                          content: "Item \(index): orders are counted when paid; refunds are excluded.",
                                                          category: ["revenue", "data-model", "ops"][index % 3], tags: ["bench", "t\(index % 7)"]),
                                           by: admin.id)
    if index % 4 == 0 { try await knowledge.review(id: item.id, status: .approved, by: "bench") }
    if index % 5 == 0 { try await knowledge.vote(itemId: item.id, userId: admin.id, vote: 1) }
}
_ = try await MetricsRepository(store: state).upsert(MetricDefinition(name: "gross_revenue", displayName: "Gross revenue", category: "revenue",
                                                                      sql: "SELECT 1"))
FileHandle.standardError.write(Data("web benchmark: seeded 1,000 tables and 1,000 memory items in \(ContinuousClock.now - started)\n".utf8))

let server = Task { try await AgnesServerApplication.make(services: services).runService() }
let base = "http://127.0.0.1:\(port)"
let client = HTTPClient.shared
func fetch(_ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil) async throws -> HTTPClientResponse {
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    return try await client.execute(request, timeout: .seconds(30))
}
var token: String?
for _ in 0..<100 where token == nil {
    if let response = try? await fetch("/auth/token", method: .POST, headers: [("Content-Type", "application/json")],
                                       body: #"{"email":"admin@example.com","password":"benchmark password"}"#),
       let body = try? await response.body.collect(upTo: 1 << 20),
       let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] {
        token = object["access_token"] as? String
    } else {
        try await Task.sleep(for: .milliseconds(100))
    }
}
guard let token else { fatalError("could not sign in") }
let cookie = [("Cookie", "access_token=\(token)")]
let group = try await services.groups.find(name: "Admin")!

let pages = ["/catalog", "/catalog?q=table_09", "/tables/table_0500", "/memory", "/memory?q=revenue", "/memory?status=approved", "/memory/review",
             "/catalog/metrics", "/catalog/metrics/revenue/gross_revenue", "/tokens", "/admin", "/admin/users", "/admin/groups",
             "/admin/groups/\(group.id)", "/admin/grants", "/admin/tables", "/admin/sources", "/admin/sync", "/admin/audit", "/login"]
var worst = 0.0
for page in pages {
    var samples: [Double] = []
    for round in 0..<55 {
        let response = try await fetch(page, headers: cookie)
        _ = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else { fatalError("\(page): HTTP \(response.status.code)") }
        guard let timing = response.headers.first(name: "server-timing"), let value = Double(timing.replacingOccurrences(of: "app;dur=", with: "")) else {
            fatalError("\(page): no server-timing header")
        }
        if round >= 5 { samples.append(value) }
    }
    samples.sort()
    let p50 = samples[samples.count / 2], p99 = samples[Int(Double(samples.count - 1) * 0.99)]
    worst = max(worst, p99)
    let line: [String: Any] = ["bench": "web_page", "page": page, "tables": 1_000, "memory_items": 1_000, "p50": (p50 * 100).rounded() / 100,
                               "p99": (p99 * 100).rounded() / 100, "unit": "ms", "budget": 50]
    print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
}
server.cancel()
try await services.shutdown()
try await state.close()
