// The local cluster of `scripts/cluster` (PostgreSQL, a worker, two API replicas, nginx) with the real binaries: a
// table registered and synced through the load balancer is pulled by `agnes` while the API replica serving the
// download is killed; the pull resumes on the other replica (a Range request checked against the same hash) and
// ends with a byte-identical file.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

/// Six processes on two cores: too heavy to run beside the rest of `make test` (in-process servers there time out),
/// so it runs on its own: `make test-cluster` (AGNES_CLUSTER_TESTS=1).
@Suite("local cluster", .serialized, .enabled(if: ProcessInfo.processInfo.environment["AGNES_CLUSTER_TESTS"] == "1",
                                              "the cluster runs on its own: make test-cluster"))
struct ClusterTests {
    static func cluster(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/cluster")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // A file, not a pipe: the servers the script starts keep no descriptor of ours, but a file is safe either way.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-cluster-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try await process.runUntilExit(timeout: .seconds(300))
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Whether anything holds an established TCP connection to `port` on loopback (the replica serving a download).
    static func hasConnection(toPort port: Int) -> Bool {
        let hex = String(port, radix: 16, uppercase: true)
        let hexPort = ":" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: /proc files report a size of 0, so a reader that trusts the size reads nothing.
            guard let handle = FileHandle(forReadingAtPath: table), let data = try? handle.readToEnd() else { continue }
            try? handle.close()
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // local address, remote address, state (01 = ESTABLISHED)
                if fields.count > 3, fields[1].hasSuffix(hexPort), fields[3] == "01" { return true }
            }
        }
        return false
    }

    @Test("a pull through the load balancer survives the death of the replica serving it, and the file is byte-identical")
    func pullSurvivesAReplica() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("cluster"), sources = root.appendingPathComponent("sources")
        let workspace = root.appendingPathComponent("workspace")
        for folder in [sources, workspace] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        // About 50 MB of poorly compressible parquet; the balancer sends 8 MB/s per connection, so a download lasts.
        try await offTheCooperativePool {
            let maker = try Database().connect()
            try maker.execute("""
                COPY (SELECT i AS id, md5(i::VARCHAR) || md5((-1 - i)::VARCHAR) AS payload FROM range(1500000) t(i))
                TO '\(sources.appendingPathComponent("events.parquet").path)' (FORMAT parquet)
                """)
        }
        let port = try freePort()
        let started = try await Self.cluster(["start", directory.path], environment: [
            "AGNES_SERVER": binaries.appendingPathComponent("agnes-server").path, "CLUSTER_PORT": String(port), "CLUSTER_LIMIT_RATE": "8m",
        ])
        var failure: (any Error)?
        if started.status == 0 {
            do { try await pullWhileAReplicaDies(port: port, directory: directory, sources: sources, workspace: workspace, root: root) } catch { failure = error }
        }
        let stopped = try await Self.cluster(["stop", directory.path])
        #expect(started.status == 0, "\(started.output)")
        #expect(stopped.status == 0, "\(stopped.output)")
        if let failure { throw failure }
    }

    func pullWhileAReplicaDies(port: Int, directory: URL, sources: URL, workspace: URL, root: URL) async throws {
        let client = ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        _ = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
        let admin = try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))
        #expect(try await client.call("POST", "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": sources.path]],
                                      token: admin).status == 201)
        #expect(try await client.call("POST", "/api/admin/register-table", json: ["name": "events", "source_name": "shop", "source_table": "events.parquet"],
                                      token: admin).status == 201)
        // Synced by the worker (queued by whichever replica answered), then served by both replicas.
        let trigger = try await client.call("POST", "/api/sync/trigger", json: ["tables": ["events"]], token: admin)
        #expect(trigger.string("message")?.contains("Queued as job") == true)
        var manifestEvents: [String: Any]?
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let manifests = try await [client.call("GET", "/api/sync/manifest", token: admin), client.call("GET", "/api/sync/manifest", token: admin)]
            let entries = manifests.map { ($0.object["tables"] as? [String: [String: Any]])?["events"] }
            if let first = entries[0], let second = entries[1], first["sha256"] as? String != nil,
               first["sha256"] as? String == second["sha256"] as? String {
                manifestEvents = first
                break
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        let events = try #require(manifestEvents, "both replicas serve the synced table")
        let file = try #require((events["files"] as? [[String: Any]])?.first?["path"] as? String)
        let serverFile = directory.appendingPathComponent("data/extracts/shop/\(file)")

        let environment = ["AGNES_CONFIG_DIR": root.appendingPathComponent("config").path, "AGNES_LOCAL_DIR": workspace.path,
                           "AGNES_PASSWORD": "root password 123", "AGNES_TOKEN": ""]
        let cli = CLIFlowTests()
        let login = try await cli.agnes(["login", "--server", client.base.absoluteString, "--email", "root@example.com"], environment: environment)
        #expect(login.status == 0, "\(login.err)")
        let pull = Task { try await cli.agnes(["pull", "--json"], environment: environment) }
        // Wait for the download to be under way, then kill the replica that serves it.
        let replicas = try ["api1", "api2"].map { name in
            (name: name, port: Int(try String(contentsOf: directory.appendingPathComponent("\(name).port"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))!,
             pid: Int32(try String(contentsOf: directory.appendingPathComponent("\(name).pid"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))!)
        }
        var killed: String?
        let waitUntil = ContinuousClock.now + .seconds(30)
        // Once the large file is 8 MB in (a second at the balancer's rate; the small tables are done by then), the
        // replica with a connection open is the one sending it.
        let partial = workspace.appendingPathComponent("server/parquet/events.parquet.partial").path
        func partialBytes() -> Int64 { ((try? FileManager.default.attributesOfItem(atPath: partial))?[.size] as? NSNumber)?.int64Value ?? 0 }
        while killed == nil && ContinuousClock.now < waitUntil {
            if partialBytes() > 8_000_000, let serving = replicas.first(where: { Self.hasConnection(toPort: $0.port) }) {
                kill(serving.pid, SIGKILL)
                killed = serving.name
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let result = try await pull.value
        #expect(killed != nil, "no replica was serving a download")
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("\"files_resumed\":1"), "the download resumed on the other replica: \(result.out)")
        let pulled = workspace.appendingPathComponent("server/parquet/events.parquet")
        #expect(try Data(contentsOf: pulled) == Data(contentsOf: serverFile))
        #expect(try await client.call("GET", "/api/health").status == 200, "the balancer still answers with one replica")
    }
}
