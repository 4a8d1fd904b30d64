// Benchmark: Jira webhook ingest through the real HTTP server in this process — 5,000 signed events sent by 16
// concurrent clients. An event is acknowledged only once the spool write holding it is synced to disk (group
// commit), so the figure is durable events per second (budget ≥ 1,000/s); afterwards every acknowledged event must be
// in the spool, and the syncs the burst asked for must have been coalesced (about one per second).
// Prints one JSON object per figure. Usage: JiraBenchmark [--events 5000] [--clients 16]
import AgnesAPI
import AgnesServer
import AgnesState
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

func option(_ name: String, _ fallback: Int) -> Int {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}
let events = option("--events", 5_000), clients = option("--clients", 16)

func freePort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
    defer { try? channel.close().wait() }
    return channel.localAddress?.port ?? 0
}

let secret = "bench-jira-secret"
setenv("BENCH_JIRA_SECRET", secret, 1)
let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-jira-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: root) }
let port = try freePort()
let configuration = try AgnesConfiguration.load(environment: [
    "DATA_DIR": root.path, "AGNES_BCRYPT_COST": "4", "AGNES_AUTH_RATELIMIT_ENABLED": "false", "AGNES_SCHEDULER": "off",
], overrides: .init(host: "127.0.0.1", port: port))
let state = try StateStore.open(dataDirectory: root)
let services = try await ServerServices.start(configuration: configuration, state: state)
_ = try await DataSourcesRepository(store: state).upsert(name: "jira", type: "jira", config: #"{"webhook_secret_env":"BENCH_JIRA_SECRET"}"#,
                                                         secretEnv: ["BENCH_JIRA_SECRET"])
var table = RegisteredTable(id: "jira_issues", name: "jira_issues", sourceName: "jira", sourceTable: "issues")
table.syncStrategy = .partitioned
table.partitionBy = "created"
_ = try await RegistryRepository(store: state).upsert(table)
let server = Task { try await AgnesServerApplication.make(services: services).runService() }
try await Task.sleep(for: .milliseconds(300))

let bodies: [(String, String)] = (0..<events).map { index in
    let body = #"{"webhookEvent":"jira:issue_updated","issue":{"id":"\#(10_000 + index % 2_000)","key":"BENCH-\#(index % 2_000)","#
        + #""fields":{"summary":"Event \#(index)","status":{"name":"Open"},"project":{"key":"BENCH"},"#
        + #""created":"2026-0\#(1 + index % 9)-01T10:00:00.000+0000","updated":"2026-10-01T10:00:\#(String(format: "%02d", index % 60)).000+0000"}}}"#
    let signature = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        .map { String(format: "%02x", $0) }.joined()
    return (body, signature)
}
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)))
let runsBefore = services.domain.jiraRefresh.runs
let started = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for worker in 0..<clients {
        group.addTask {
            for index in stride(from: worker, to: events, by: clients) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/jira")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + bodies[index].1)
                request.body = .bytes(ByteBuffer(string: bodies[index].0))
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 16)
                guard response.status == .ok else { fatalError("event \(index): HTTP \(response.status.code)") }
            }
        }
    }
    try await group.waitForAll()
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let spool = root.appendingPathComponent("sources/jira/issues.ndjson")
let lines = try String(contentsOf: spool, encoding: .utf8).split(separator: "\n").count
precondition(lines == events, "the spool holds \(lines) of \(events) acknowledged events")
let runs = services.domain.jiraRefresh.runs - runsBefore
print(String(decoding: try JSONSerialization.data(withJSONObject: [
    "bench": "jira_webhook_ingest", "events": events, "clients": clients, "unit": "events/s", "value": (Double(events) / seconds).rounded(),
    "seconds": (seconds * 1000).rounded() / 1000, "durable": true, "syncs_requested": runs, "budget_min": 1_000,
], options: [.sortedKeys]), as: UTF8.self))
try await client.shutdown().get()
server.cancel()
exit(0)
