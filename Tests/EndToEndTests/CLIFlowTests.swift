// The real `agnes` binary against the real `agnes-server`: login → whoami → pull → query (table, CSV, JSON, remote) →
// pull again (nothing downloaded) → a table unregistered on the server disappears locally while the user's own table
// and views stay → a pull killed mid-download (or, when the download outran the poller, the state such a kill leaves)
// resumes with a Range request (the server counts a 206) and ends with a byte-identical file. Snapshots are fetched, queried, survive pulls, and are dropped.
import AgnesTestSupport
import Crypto
import DuckDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("agnes CLI", .serialized)
struct CLIFlowTests {
    /// Runs `agnes` with the workspace and config of the test; returns exit status, stdout and stderr.
    /// Runs the `agnes` binary and waits for it on a thread of its own (see `waitingOffThePool`).
    func agnes(_ arguments: [String], environment: [String: String], input: String? = nil) async throws -> (status: Int32, out: String, err: String) {
        try await waitingOffThePool { try runAgnes(arguments, environment: environment, input: input) }
    }

    func runAgnes(_ arguments: [String], environment: [String: String], input: String?) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent("agnes")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-in-\(UUID().uuidString)")
            try Data(input.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            process.standardInput = try FileHandle(forReadingFrom: file)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    @Test("login, pull, query, warm pull, removal, user objects kept, resumed download")
    func flow() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataDirectory = root.appendingPathComponent("data"), sources = root.appendingPathComponent("sources")
        let workspace = root.appendingPathComponent("workspace")
        for directory in [dataDirectory, sources, workspace] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        _ = FileManager.default.createFile(atPath: dataDirectory.appendingPathComponent("server.log").path, contents: nil)
        let maker = try Database().connect()
        try maker.execute("COPY (SELECT i AS id, 'c' || i AS name FROM range(1000) t(i)) TO '\(sources.appendingPathComponent("customers.csv").path)' (HEADER)")
        try maker.execute("COPY (SELECT i AS id, DATE '2026-01-01' + (i % 90)::INT AS day FROM range(5000) t(i)) TO '\(sources.appendingPathComponent("visits.csv").path)' (HEADER)")
        // About 100 MB of poorly compressible rows, so a download takes long enough to be interrupted.
        try maker.execute("""
            COPY (SELECT i AS id, md5(i::VARCHAR) || md5((-1 - i)::VARCHAR) AS payload FROM range(1500000) t(i))
            TO '\(sources.appendingPathComponent("events.parquet").path)' (FORMAT parquet)
            """)

        let flow = DataPlaneFlowTests()
        let (server, client) = try await flow.start(dataDirectory, environment: [:])
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        _ = try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
        let admin = try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))
        _ = try await client.call("POST", "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": sources.path]], token: admin)
        for (name, file, extra) in [("customers", "customers.csv", [:]), ("visits", "visits.csv", ["sync_strategy": "partitioned", "partition_by": "day"]),
                                    ("events", "events.parquet", [:])] as [(String, String, [String: Any])] {
            let registered = try await client.call("POST", "/api/admin/register-table", json: ["name": name, "source_name": "shop", "source_table": file]
                .merging(extra) { $1 }, token: admin)
            #expect(registered.status == 201)
        }
        #expect(try await client.call("POST", "/api/sync/trigger", token: admin).status == 200)
        try await flow.waitForSync(client)

        let environment = ["AGNES_CONFIG_DIR": root.appendingPathComponent("config").path, "AGNES_LOCAL_DIR": workspace.path,
                           "AGNES_PASSWORD": "root password 123", "AGNES_TOKEN": ""]
        let login = try await agnes(["login", "--server", client.base.absoluteString, "--email", "root@example.com"], environment: environment)
        #expect(login.status == 0, "\(login.err)")
        let whoami = try await agnes(["whoami", "--json"], environment: environment)
        #expect(whoami.out.contains("\"email\":\"root@example.com\"") && whoami.out.contains("\"tables\":3"), "\(whoami.out)\(whoami.err)")

        // A first pull killed while it builds the workspace's database, which it does as the files land: no database
        // is left under the real name, and the next pull starts it over.
        let database = workspace.appendingPathComponent("user/duckdb/analytics.duckdb")
        let firstKilled = try await agnes(["pull", "--quiet"], environment: environment.merging(["AGNES_CRASH_AT": "pull.mid-views"]) { $1 })
        #expect(firstKilled.status == SIGKILL, "the first pull was not stopped in its views: \(firstKilled.out)\(firstKilled.err)")
        #expect(!FileManager.default.fileExists(atPath: database.path))

        let pull = try await agnes(["pull", "--json"], environment: environment)
        #expect(pull.status == 0 && pull.out.contains("\"tables_total\":3"), "\(pull.out)\(pull.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: database.deletingLastPathComponent().path) == ["analytics.duckdb"])
        let events = workspace.appendingPathComponent("server/parquet/events.parquet")
        let eventsFile = try #require(((try await client.call("GET", "/api/sync/manifest", token: admin).object["tables"] as? [String: [String: Any]])?["events"]?["files"]
            as? [[String: Any]])?.first?["path"] as? String)
        let serverEvents = dataDirectory.appendingPathComponent("extracts/shop/\(eventsFile)")
        #expect(try Data(contentsOf: events) == Data(contentsOf: serverEvents))
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("server/parquet/visits/2026-03.parquet").path))

        let csv = try await agnes(["query", "--format", "csv", "SELECT count(*) AS n, max(name) AS top FROM customers"], environment: environment)
        #expect(csv.out == "n,top\r\n1000,c999\r\n", "\(csv.err)")
        let json = try await agnes(["query", "--format", "json", "SELECT count(*) AS visits FROM visits WHERE day >= DATE '2026-03-01'"], environment: environment)
        #expect(json.out.trimmingCharacters(in: .whitespacesAndNewlines) == #"[{"visits":1705}]"#, "\(json.out)\(json.err)")
        let remote = try await agnes(["query", "--remote", "--format", "csv", "SELECT count(*) AS n FROM events"], environment: environment)
        #expect(remote.out == "n\r\n1500000\r\n", "\(remote.err)")
        let unknown = try await agnes(["query", "SELECT * FROM ghosts"], environment: environment)
        #expect(unknown.status == 1 && unknown.err.contains("agnes catalog"))

        // Discovery.
        let catalog = try await agnes(["catalog"], environment: environment)
        #expect(catalog.status == 0 && catalog.out.contains("visits") && catalog.out.contains("fresh"), "\(catalog.out)\(catalog.err)")
        let schema = try await agnes(["schema", "customers", "--json"], environment: environment)
        #expect(schema.out.contains("\"name\":\"name\"") && schema.out.contains("VARCHAR"), "\(schema.out)")
        let describe = try await agnes(["describe", "customers", "-n", "2"], environment: environment)
        #expect(describe.out.hasPrefix("customers: 1000 rows") && describe.out.contains("(2 rows)"), "\(describe.out)\(describe.err)")
        #expect(try await agnes(["sample", "ghost"], environment: environment).status == 8)

        let warm = try await agnes(["pull", "--json"], environment: environment)
        #expect(warm.out.contains("\"up_to_date\":true"), "\(warm.out)")

        // The user's own table and view (a snapshot, say) survive pulls; an unregistered table goes.
        do {
            let local = try Database(path: database.path)
            let connection = try local.connect()
            try connection.execute("CREATE TABLE my_notes AS SELECT 'remember' AS note")
            try connection.execute("CREATE VIEW my_slice AS SELECT * FROM customers WHERE id < 10")
            connection.close()
            local.close()
        }
        let estimateOnly = try await agnes(["snapshot", "create", "events", "--where", "id < 100", "--estimate"], environment: environment)
        #expect(estimateOnly.out.hasPrefix("estimate: up to "), "\(estimateOnly.out)\(estimateOnly.err)")
        let snapshot = try await agnes(["snapshot", "create", "events", "--select", "id", "--where", "id < 100", "--order-by", "id DESC", "--as", "first_events"],
                                 environment: environment)
        #expect(snapshot.status == 0 && snapshot.out.contains("Snapshot first_events: 100 rows"), "\(snapshot.out)\(snapshot.err)")
        #expect(try await agnes(["snapshot", "create", "events", "--as", "first_events", "--no-estimate"], environment: environment).status == 2)
        #expect(try await agnes(["snapshot", "create", "visits", "--as", "visits", "--no-estimate"], environment: environment).status == 2)
        #expect(try await client.call("DELETE", "/api/admin/registry/customers", token: admin).status == 204)
        // What unfinished downloads left: of tables no longer offered (removed now, or never pulled whole), and of one
        // still offered, which stays to be resumed.
        let parquetDirectory = workspace.appendingPathComponent("server/parquet")
        let stray = ["customers.parquet.partial", "customers.parquet.partial.sha256", "gone.parquet.partial", "gone.parquet.partial.sha256",
                     "old_parts/2026-01.parquet.partial"].map { parquetDirectory.appendingPathComponent($0) }
        let resumable = parquetDirectory.appendingPathComponent("events.parquet.partial")
        try FileManager.default.createDirectory(at: parquetDirectory.appendingPathComponent("old_parts"), withIntermediateDirectories: true)
        for file in stray + [resumable] { try Data("half".utf8).write(to: file) }
        let afterRemoval = try await agnes(["pull", "--json"], environment: environment)
        #expect(afterRemoval.out.contains("\"tables_removed\":[\"customers\"]"), "\(afterRemoval.out)\(afterRemoval.err)")
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("server/parquet/customers.parquet").path))
        #expect(stray.allSatisfy { !FileManager.default.fileExists(atPath: $0.path) }, "an unfinished download of a table no longer offered stays")
        #expect(!FileManager.default.fileExists(atPath: parquetDirectory.appendingPathComponent("old_parts").path))
        #expect(FileManager.default.fileExists(atPath: resumable.path))
        try FileManager.default.removeItem(at: resumable)
        let kept = try await agnes(["query", "--format", "csv", "SELECT note FROM my_notes"], environment: environment)
        #expect(kept.out == "note\r\nremember\r\n")
        let gone = try await agnes(["query", "SELECT count(*) FROM customers"], environment: environment)
        #expect(gone.status == 1)
        let tables = try await agnes(["query", "--format", "csv", "SELECT table_name FROM information_schema.tables ORDER BY 1"], environment: environment)
        #expect(tables.out == "table_name\r\nevents\r\nfirst_events\r\nmy_notes\r\nmy_slice\r\nvisits\r\n", "\(tables.out)")
        let fromSnapshot = try await agnes(["query", "--format", "csv", "SELECT count(*) AS n, max(id) AS top FROM first_events"], environment: environment)
        #expect(fromSnapshot.out == "n,top\r\n100,99\r\n", "\(fromSnapshot.out)\(fromSnapshot.err)")
        #expect(try await agnes(["snapshot", "list", "--json"], environment: environment).out.contains("\"name\":\"first_events\""))
        #expect(try await agnes(["snapshot", "drop", "first_events"], environment: environment).status == 0)
        #expect(try await agnes(["query", "SELECT 1 FROM first_events"], environment: environment).status == 1)

        // Status, disk use and a diagnosis.
        let status = try await agnes(["status", "--json"], environment: environment)
        #expect(status.out.contains("\"tables\":2") && status.out.contains("\"signed_in\":true"), "\(status.out)\(status.err)")
        let disk = try await agnes(["disk-info", "--json"], environment: environment)
        #expect(disk.status == 0 && disk.out.contains("\"total_bytes\":"), "\(disk.out)")
        let diagnosis = try await agnes(["diagnose"], environment: environment)
        #expect(diagnosis.status == 0 && diagnosis.out.contains("ok   token: valid for root@example.com"), "\(diagnosis.out)\(diagnosis.err)")
        #expect(diagnosis.out.hasPrefix("Agnes is ready for your work") && diagnosis.out.contains("local-data: 2 of the 2 tables"), "\(diagnosis.out)")
        #expect(!diagnosis.out.contains("(operator)"))
        let operatorChecks = try await agnes(["diagnose", "--include-operator-checks"], environment: environment)
        #expect(operatorChecks.out.contains("state-schema (operator): ok") && operatorChecks.status == 0, "\(operatorChecks.out)")
        // Nothing here while the server offers tables: a warning, not a failure.
        let empty = try await agnes(["diagnose", "--json"], environment: environment.merging(["AGNES_LOCAL_DIR": root.appendingPathComponent("elsewhere").path]) { $1 })
        #expect(empty.status == 0 && empty.out.contains("\"warning\":true") && empty.out.contains("local-data"), "\(empty.out)\(empty.err)")

        // A pull killed in the middle of the big download (the CLI stops itself there: AGNES_CRASH_AT), then a pull
        // again: the rest comes with a 206.
        try FileManager.default.removeItem(at: events)
        let killed = try await agnes(["pull", "--quiet"], environment: environment.merging(["AGNES_CRASH_AT": "pull.mid-download"]) { $1 })
        #expect(killed.status == SIGKILL, "the pull was not stopped mid-download: \(killed.out)\(killed.err)")
        let partial = URL(fileURLWithPath: events.path + ".partial")
        let full = try Data(contentsOf: serverEvents)
        func partialBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.intValue ?? 0 }
        #expect(partialBytes() >= full.count / 2 && partialBytes() < full.count)
        #expect(!FileManager.default.fileExists(atPath: events.path))
        let resumed = try await agnes(["pull", "--json"], environment: environment)
        #expect(resumed.status == 0 && resumed.out.contains("\"files_resumed\":1"), "\(resumed.out)\(resumed.err)")
        #expect(try Data(contentsOf: events) == Data(contentsOf: serverEvents))
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        // Killed with the file whole and verified under its .partial name: the next pull finishes it without a download.
        try FileManager.default.removeItem(at: events)
        let beforeRename = try await agnes(["pull", "--quiet"], environment: environment.merging(["AGNES_CRASH_AT": "pull.before-rename"]) { $1 })
        #expect(beforeRename.status == SIGKILL, "the pull was not stopped before its rename: \(beforeRename.out)\(beforeRename.err)")
        #expect(!FileManager.default.fileExists(atPath: events.path) && partialBytes() == full.count)
        let finished = try await agnes(["pull", "--json"], environment: environment)
        #expect(finished.status == 0 && finished.out.contains("\"errors\":[]"), "\(finished.out)\(finished.err)")
        #expect(try Data(contentsOf: events) == full && !FileManager.default.fileExists(atPath: partial.path))

        // A part deleted by hand is fetched again. A small file is never resumed: what an earlier attempt left under
        // its .partial name is written over, even beside a record of the right sha256 (as a larger version of the file
        // would have left).
        let march = workspace.appendingPathComponent("server/parquet/visits/2026-03.parquet")
        let marchFile = try Data(contentsOf: march)
        let visitsFiles = try #require((try await client.call("GET", "/api/sync/manifest", token: admin).object["tables"]
            as? [String: [String: Any]])?["visits"]?["files"] as? [[String: Any]])
        let marchSHA256 = try #require(visitsFiles.first { $0["part"] as? String == "2026-03" }?["sha256"] as? String)
        try FileManager.default.removeItem(at: march)
        try Data(repeating: 0x2A, count: marchFile.count / 2).write(to: URL(fileURLWithPath: march.path + ".partial"))
        try Data(marchSHA256.utf8).write(to: URL(fileURLWithPath: march.path + ".partial.sha256"))
        let refetched = try await agnes(["pull", "--json"], environment: environment)
        #expect(refetched.status == 0 && refetched.out.contains("\"errors\":[]") && refetched.out.contains("\"files_resumed\":0"),
                "\(refetched.out)\(refetched.err)")
        #expect(try Data(contentsOf: march) == marchFile)
        #expect(!FileManager.default.fileExists(atPath: march.path + ".partial") && !FileManager.default.fileExists(atPath: march.path + ".partial.sha256"))

        // Killed while the workspace's views are rebuilt (the pull is not recorded): the next pull rebuilds them, and
        // every pulled table answers a query.
        try FileManager.default.removeItem(at: events)
        let midViews = try await agnes(["pull", "--quiet"], environment: environment.merging(["AGNES_CRASH_AT": "pull.mid-views"]) { $1 })
        #expect(midViews.status == SIGKILL, "the pull was not stopped in its view rebuild: \(midViews.out)\(midViews.err)")
        #expect(try await agnes(["pull", "--quiet"], environment: environment).status == 0)
        let counted = try await agnes(["query", "--format", "csv", "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM visits) AS n"],
                                      environment: environment)
        #expect(counted.status == 0 && counted.out.hasPrefix("n\r\n") && !counted.err.contains("server-side"), "answered locally: \(counted.out)\(counted.err)")

        let metrics = String(decoding: try await client.call("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.split(separator: "\n").contains { $0.contains("agnes_http_requests_total") && $0.contains("/api/data/{id}/download") && $0.contains("206") })

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
    }
}

@Suite("agnes help")
struct CLIHelpTests {
    @Test("every command's help has an example, and completion scripts are generated")
    func examples() async throws {
        let cli = CLIFlowTests()
        let dump = try await cli.agnes(["--experimental-dump-help"], environment: [:])
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(dump.out.utf8)) as? [String: Any])
        var missing: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let path = path + [command["commandName"] as? String ?? "?"]
            let discussion = command["discussion"] as? String ?? ""
            if path.last != "help", !discussion.contains("Example"), !discussion.contains("agnes ") { missing.append(path.joined(separator: " ")) }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path) }
        }
        walk(try #require(tree["command"] as? [String: Any]), [])
        #expect(missing.isEmpty, "commands without an example: \(missing)")
        for shell in ["bash", "zsh", "fish"] {
            let script = try await cli.agnes(["--generate-completion-script", shell], environment: [:])
            #expect(script.status == 0 && script.out.contains("snapshot"), "\(shell)")
        }
    }
}
