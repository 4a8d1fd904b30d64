// Soak: many concurrent clients for a while against a running release server, a mix of what analysts and their agents
// do — the manifest (with and without If-None-Match), a download with Range, a guarded query, the catalog, a memory
// vote, a personal-access-token read, and one sync trigger a minute. Prints one JSON line per figure: requests and
// errors, p50/p99 per kind, the server's resident memory at start, middle and end, and its open file descriptors at
// start and end. Driven by Benchmarks/DataPlane/run, which starts the server and makes the fixtures.
//
//   SoakBenchmark --base URL --token T --pat P --pid PID --table ID --query-table ID --memory ID [--clients 64] [--seconds 30]
//                 [--only KIND,...]   (only these kinds, at their weights; to see what one kind of request costs)
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

struct Options {
    var base = "", token = "", pat = "", table = "", queryTable = "", memory = ""
    var pid: Int32 = 0, clients = 64, seconds = 30.0
    /// The kinds drawn (all by default); the sync trigger runs only when it is among them.
    var kinds = Set(Kind.allCases)

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--base": base = value
            case "--token": token = value
            case "--pat": pat = value
            case "--pid": pid = Int32(value) ?? 0
            case "--table": table = value
            case "--query-table": queryTable = value
            case "--memory": memory = value
            case "--clients": clients = Int(value) ?? clients
            case "--seconds": seconds = Double(value) ?? seconds
            case "--only":
                kinds = Set(value.split(separator: ",").map { name in
                    guard let kind = Kind(rawValue: String(name)) else {
                        fatalError("unknown kind \(name); kinds: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return kind
                })
            default: fatalError("unknown option \(flag)")
            }
        }
        precondition(!base.isEmpty && !token.isEmpty && !pat.isEmpty && pid > 0 && !table.isEmpty && !queryTable.isEmpty && !memory.isEmpty,
                     "usage: SoakBenchmark --base URL --token T --pat P --pid PID --table ID --query-table ID --memory ID [--clients N] [--seconds S]")
    }
}

/// What one request of a kind is, and which statuses count as served.
enum Kind: String, CaseIterable {
    case manifest, manifestNotModified = "manifest_if_none_match", downloadRange = "download_range", query, catalog
    case memoryVote = "memory_vote", personalAccessToken = "pat_read", syncTrigger = "sync_trigger"

    /// Out of 100 requests (the sync trigger is not drawn: it runs once a minute).
    var weight: Int {
        switch self {
        case .manifest: 15
        case .manifestNotModified: 30
        case .downloadRange: 15
        case .query: 15
        case .catalog: 10
        case .memoryVote: 5
        case .personalAccessToken: 10
        case .syncTrigger: 0
        }
    }
}

/// Latencies and errors per kind, from every client.
final class Tally: Sendable {
    private let state = Mutex<(latencies: [Kind: [Double]], errors: [Kind: Int], examples: [String])>(([:], [:], []))

    func record(_ kind: Kind, milliseconds: Double, error: String?) {
        state.withLock { state in
            state.latencies[kind, default: []].append(milliseconds)
            if let error {
                state.errors[kind, default: 0] += 1
                if state.examples.count < 5 { state.examples.append("\(kind.rawValue): \(error)") }
            }
        }
    }

    var snapshot: (latencies: [Kind: [Double]], errors: [Kind: Int], examples: [String]) { state.withLock { $0 } }
}

func emit(_ figure: String, _ value: Any, _ extra: [String: Any] = [:]) {
    var line: [String: Any] = ["benchmark": "soak", "figure": figure, "value": value]
    line.merge(extra) { $1 }
    let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func residentMiB(_ pid: Int32) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
    return (kilobytes / 1024 * 10).rounded() / 10
}

func openFiles(_ pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// Sends one request of `kind` and records it.
func timed(_ kind: Kind, etag: String?) async -> String? {
    let begun = ContinuousClock.now
    let (error, newTag) = await send(kind, etag: etag, client: client)
    tally.record(kind, milliseconds: milliseconds(ContinuousClock.now - begun), error: error)
    return newTag
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return (sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] * 100).rounded() / 100
}

let options = Options(CommandLine.arguments)
let client = HTTPClient(eventLoopGroupProvider: .singleton,
                        configuration: HTTPClient.Configuration(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: options.clients)))
let tally = Tally()

/// Sends one request of `kind`; returns an error text when the answer is not what that kind expects.
func send(_ kind: Kind, etag: String?, client: HTTPClient) async -> (String?, String?) {
    var request = HTTPClientRequest(url: options.base)
    request.headers.add(name: "Authorization", value: "Bearer \(kind == .personalAccessToken ? options.pat : options.token)")
    var expected: Set<UInt> = [200]
    func post(_ path: String, json: String) {
        request.url += path
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
    }
    switch kind {
    case .manifest:
        request.url += "/api/sync/manifest"
        request.headers.add(name: "Accept-Encoding", value: "gzip")
    case .manifestNotModified:
        request.url += "/api/sync/manifest"
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        expected = [200, 304]
    case .downloadRange:
        request.url += "/api/data/\(options.table)/download"
        let start = Int.random(in: 0..<64) << 20
        request.headers.add(name: "Range", value: "bytes=\(start)-\(start + (1 << 20) - 1)")
        expected = [206]
    case .query:
        post("/api/query", json: #"{"sql":"SELECT count(*), sum(value) FROM \#(options.queryTable) WHERE id < \#(Int.random(in: 1...100))","limit":10}"#)
    case .catalog:
        request.url += "/api/catalog/tables"
    case .memoryVote:
        post("/api/memory/\(options.memory)/vote", json: #"{"vote":\#(Bool.random() ? 1 : -1)}"#)
    case .personalAccessToken:
        request.url += "/api/me/effective-access"
    case .syncTrigger:
        post("/api/sync/trigger", json: #"{"tables":["\#(options.queryTable)"]}"#)
        expected = [200, 409]
    }
    do {
        let response = try await client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 64 << 20)
        let newTag = kind == .manifest || kind == .manifestNotModified ? response.headers.first(name: "ETag") : nil
        return (expected.contains(response.status.code) ? nil : "status \(response.status.code)", newTag)
    } catch {
        return ("\(error)", nil)
    }
}

let drawn: [Kind] = Kind.allCases.filter(options.kinds.contains).flatMap { Array(repeating: $0, count: $0.weight) }
precondition(!drawn.isEmpty, "--only must name at least one kind besides sync_trigger")
let started = ContinuousClock.now
let duration = Duration.milliseconds(Int(options.seconds * 1000))
let rssStart = residentMiB(options.pid), filesStart = openFiles(options.pid)
let etag = Mutex<String?>(nil)
let rssMiddle = Mutex<Double>(-1)

await withTaskGroup(of: Void.self) { group in
    for _ in 0..<options.clients {
        group.addTask {
            while ContinuousClock.now - started < duration {
                if let newTag = await timed(drawn.randomElement()!, etag: etag.withLock { $0 }) { etag.withLock { $0 = newTag } }
            }
        }
    }
    // One sync trigger a minute (the first at once), and the memory in the middle of the run.
    group.addTask {
        var next = ContinuousClock.now
        while ContinuousClock.now - started < duration {
            if options.kinds.contains(.syncTrigger), ContinuousClock.now >= next {
                _ = await timed(.syncTrigger, etag: nil)
                next = next.advanced(by: .seconds(60))
            }
            if rssMiddle.withLock({ $0 }) < 0, ContinuousClock.now - started >= duration / 2 { rssMiddle.withLock { $0 = residentMiB(options.pid) } }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
let elapsed = ContinuousClock.now - started
let rssEnd = residentMiB(options.pid), filesConnected = openFiles(options.pid)
try await client.shutdown().get()
// Once the clients' connections are closed, the server holds as many files as before the run, or it leaks.
try await Task.sleep(for: .seconds(1))
let filesEnd = openFiles(options.pid)

let (latencies, errors, examples) = tally.snapshot
let total = latencies.values.reduce(0) { $0 + $1.count }
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
emit("soak_requests", total, ["clients": options.clients, "seconds": (seconds * 10).rounded() / 10])
emit("soak_requests_per_second", (Double(total) / seconds).rounded())
emit("soak_errors", errors.values.reduce(0, +), ["budget_max": 0] .merging(examples.isEmpty ? [:] : ["examples": examples]) { $1 })
for kind in Kind.allCases {
    let values = latencies[kind] ?? []
    emit("soak_\(kind.rawValue)_p50_ms", percentile(values, 0.5), ["requests": values.count, "errors": errors[kind] ?? 0])
    emit("soak_\(kind.rawValue)_p99_ms", percentile(values, 0.99))
}
let middle = rssMiddle.withLock { $0 }
emit("soak_server_rss_mib", rssEnd, ["start": rssStart, "middle": middle, "end": rssEnd])
emit("soak_server_rss_growth_after_warmup_percent", middle > 0 ? ((rssEnd - middle) / middle * 1000).rounded() / 10 : 0, ["budget_max": 10])
emit("soak_server_open_files", filesEnd, ["start": filesStart, "with_clients_connected": filesConnected, "end": filesEnd,
                                         "growth": filesEnd - filesStart, "budget_max_growth": 0])
