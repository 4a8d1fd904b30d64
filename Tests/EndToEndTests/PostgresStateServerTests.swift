// agnes-server with its state on PostgreSQL (AGNES_STATE_URL): the real binary against a private PostgreSQL cluster.
// The demo flow runs on it unchanged, nothing of the state is written under DATA_DIR, a second server on the same
// state sees the first one's users at once, and a session ended through one server is refused by the other within
// a second.
import AgnesTestSupport
import Foundation
import Testing

extension SharedStateServers {
    @Suite("agnes-server on a PostgreSQL state", .serialized)
    struct PostgresStateServerTests {
        static let secrets = ["JWT_SECRET_KEY": String(repeating: "j", count: 40), "SESSION_SECRET": String(repeating: "s", count: 40)]

        /// A server process, its client and its log.
        struct Server {
            let process: Process
            let client: ServerClient
            let dataDirectory: URL
            let logFile: URL
            var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

            func kill() {
                if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }
        }

        /// A new, empty database in the test process's shared PostgreSQL cluster, for one test's state.
        static func newStateDatabase() async throws -> (cluster: PostgresTestCluster, database: String) {
            try await offTheCooperativePool {
                let cluster = try PostgresTestCluster.shared()
                return (cluster, try cluster.newDatabase())
            }
        }

        /// Starts `agnes-server serve` on `environment`'s state (which wins over the test defaults) with `arguments`, in
        /// `dataDirectory` (a new one when nil).
        static func startServer(environment: [String: String], arguments: [String] = [], dataDirectory: URL? = nil,
                                name: String = "server") async throws -> Server {
            let dataDirectory = try dataDirectory ?? temporaryDirectory()
            let log = dataDirectory.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            if let (server, port) = try await startServerProcess(["--data-dir", dataDirectory.path] + arguments, environment: environment, logFile: log) {
                return Server(process: server, client: ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!), dataDirectory: dataDirectory, logFile: log)
            }
            throw DemoServerError(message: "\(name) did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }

        @Test("two servers share one PostgreSQL state: the demo flow works, nothing of the state is under DATA_DIR, a session ended on one is refused by the other within a second")
        func twoServersOneState() async throws {
            let (cluster, database) = try await Self.newStateDatabase()
            let environment = Self.secrets.merging(["AGNES_STATE_URL": cluster.url(database: database)]) { $1 }
            let first = try await DemoServer.start(environment: environment)
            defer { first.stop() }
            #expect(!FileManager.default.fileExists(atPath: first.dataDirectory.appendingPathComponent("state/system.duckdb").path))
            #expect(first.log.contains("state: postgres://postgres@127.0.0.1:\(cluster.port)/\(database)"))
            #expect(!first.log.contains(cluster.password), "the log never shows the state's password")

            // The analyst's grants and queries come from the PostgreSQL state.
            let count = try await first.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM orders"], token: first.analyst)
            #expect(count.status == 200)
            let refused = try await first.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM web_sessions"], token: first.analyst)
            #expect(refused.status == 403)

            // A second server on the same state knows the analyst's session at once.
            let second = try await Self.startServer(environment: environment)
            defer {
                second.kill()
                try? FileManager.default.removeItem(at: second.dataDirectory)
            }
            #expect(try await second.client.call("GET", "/api/me/effective-access", token: first.analyst).status == 200)

            // An administrator resets the analyst's password through the first server: the second refuses the old session
            // within a second (its cached identity is dropped when the first server's write is announced).
            let users = try await first.client.call("GET", "/api/users", token: first.admin)
            let list = (try? JSONSerialization.jsonObject(with: users.body)) as? [[String: Any]] ?? users.object["users"] as? [[String: Any]] ?? []
            let analystId = try #require(list.first { $0["email"] as? String == DemoServer.analystEmail }?["id"] as? String)
            let reset = try await first.client.call("POST", "/api/users/\(analystId)/set-password", json: ["password": "another password 2"], token: first.admin)
            #expect(reset.status == 200 || reset.status == 204)
            let started = ContinuousClock.now
            var status = 200
            while status == 200 && ContinuousClock.now - started < .seconds(1) {
                status = try await second.client.call("GET", "/api/me/effective-access", token: first.analyst).status
                if status == 200 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(status == 401, "the second server still took the ended session after \(ContinuousClock.now - started)")

            // Sign-in attempts are counted in the shared state: ten wrong passwords for one account, spread over both
            // servers, use up the account's budget (10 a minute) on both — the eleventh is refused whichever answers.
            for attempt in 1...11 {
                let server = attempt.isMultiple(of: 2) ? second.client : first.client
                let answer = try await server.call("POST", "/auth/token", json: ["email": "nobody@example.com", "password": "wrong \(attempt)"])
                #expect(answer.status == (attempt <= 10 ? 401 : 429), "attempt \(attempt): \(answer.status)")
            }
        }

        @Test("roles: an API replica queues syncs for the worker on the same data directory and serves what it wrote; the scheduler's lease passes to a standby within ten seconds of its holder's death")
        func rolesShareTheWork() async throws {
            let (cluster, database) = try await Self.newStateDatabase()
            let environment = Self.secrets.merging(["AGNES_STATE_URL": cluster.url(database: database),
                                                    "AGNES_SCHEDULER": "on"]) { $1 }
            let shared = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: shared) }
            let worker = try await Self.startServer(environment: environment, arguments: ["--role", "worker", "--demo"], dataDirectory: shared, name: "worker")
            defer { worker.kill() }
            let api = try await Self.startServer(environment: environment, arguments: ["--role", "api"], dataDirectory: shared, name: "api")
            defer { api.kill() }
            let boot = try await api.client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
            let admin = try #require(boot.string("access_token"))

            // The API replica serves the tables the worker synced.
            let count = try await api.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM orders"], token: admin)
            #expect(count.status == 200 && ((count.object["rows"] as? [[Int]])?.first?.first ?? 0) > 0, "\(count.status) \(String(decoding: count.body, as: UTF8.self))")

            // A sync asked of the API replica becomes a job that the worker runs.
            let trigger = try await api.client.call("POST", "/api/sync/trigger", json: ["tables": ["orders"]], token: admin)
            #expect(trigger.status == 200 && trigger.string("message")?.contains("Queued as job") == true)
            let jobs = try await api.client.call("GET", "/api/jobs?limit=5", token: admin)
            let job = try #require((jobs.object["jobs"] as? [[String: Any]])?.first { $0["idempotency_key"] as? String == "sync:orders" })
            let jobId = try #require(job["id"] as? String)
            var status = job["status"] as? String
            let deadline = ContinuousClock.now + .seconds(90)
            while status != "done" && status != "failed" && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                status = try await api.client.call("GET", "/api/jobs/\(jobId)", token: admin).string("status")
            }
            #expect(status == "done", "the sync job ended \(status ?? "nil"): \(worker.log.suffix(2_000))")

            // The worker holds the scheduler's lease; a standby worker takes it over when the holder dies.
            let standby = try await Self.startServer(environment: environment, arguments: ["--role", "worker"], dataDirectory: shared, name: "standby")
            defer { standby.kill() }
            #expect(worker.log.contains("this process runs the scheduler"))
            try await Task.sleep(for: .seconds(3))
            #expect(!standby.log.contains("this process runs the scheduler"), "two processes ran the scheduler at once")
            worker.kill()
            let killed = ContinuousClock.now
            while !standby.log.contains("this process runs the scheduler") && ContinuousClock.now - killed < .seconds(15) {
                try await Task.sleep(for: .milliseconds(100))
            }
            let takeover = ContinuousClock.now - killed
            #expect(standby.log.contains("this process runs the scheduler") && takeover < .seconds(10), "the standby took over after \(takeover)")
            print("{\"test\":\"scheduler_takeover\",\"seconds\":\(Double(takeover.components.attoseconds) / 1e18 + Double(takeover.components.seconds))}")
        }

        @Test("a worker killed mid-sync: the job is claimed again by another worker once its lease expires, and the API never serves a partial table")
        func workerDiesMidSync() async throws {
            let (cluster, database) = try await Self.newStateDatabase()
            let environment = Self.secrets.merging(["AGNES_STATE_URL": cluster.url(database: database),
                                                    "AGNES_JOB_LEASE_SECONDS": "3"]) { $1 }
            let shared = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: shared) }
            // The demo dataset, seeded by a first worker that then stops.
            let seeder = try await Self.startServer(environment: environment, arguments: ["--role", "worker", "--demo"], dataDirectory: shared, name: "seeder")
            let api = try await Self.startServer(environment: environment, arguments: ["--role", "api"], dataDirectory: shared, name: "api")
            defer { api.kill() }
            seeder.kill()
            let boot = try await api.client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
            let admin = try #require(boot.string("access_token"))
            func orders() async throws -> (sha: String?, rows: Int?) {
                let manifest = try await api.client.call("GET", "/api/sync/manifest", token: admin)
                let count = try await api.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM orders"], token: admin)
                return ((manifest.object["tables"] as? [String: [String: Any]])?["orders"]?["sha256"] as? String,
                        (count.object["rows"] as? [[Int]])?.first?.first)
            }
            let before = try await orders()
            #expect(before.sha != nil && (before.rows ?? 0) > 0)

            // A worker that dies after writing the table's new files, before recording them.
            let doomed = try await Self.startServer(environment: environment.merging(["AGNES_CRASH_AT": "sync.before-state"]) { $1 },
                                                    arguments: ["--role", "worker"], dataDirectory: shared, name: "doomed")
            defer { doomed.kill() }
            #expect(try await api.client.call("POST", "/api/sync/trigger", json: ["tables": ["orders"]], token: admin).status == 200)
            let died = ContinuousClock.now + .seconds(60)
            while doomed.process.isRunning && ContinuousClock.now < died { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!doomed.process.isRunning, "the worker reached its crash point")
            let jobs = try await api.client.call("GET", "/api/jobs?limit=5", token: admin)
            let job = try #require((jobs.object["jobs"] as? [[String: Any]])?.first { $0["idempotency_key"] as? String == "sync:orders" })
            #expect(job["status"] as? String == "running" && job["attempts"] as? Int == 1)
            // The API replica runs no sync itself, but reports the one the queue says is running (upstream's
            // unauthenticated status).
            let status = try await api.client.call("GET", "/api/sync/status")
            #expect(status.object["locked"] as? Bool == true && status.object["running"] as? [String] == ["orders"], "\(status.object)")
            let during = try await orders()
            #expect(during.sha == before.sha && during.rows == before.rows, "the API serves the table as it was")

            // Another worker claims the job once the dead one's lease has expired, and finishes it.
            let rescuer = try await Self.startServer(environment: environment, arguments: ["--role", "worker"], dataDirectory: shared, name: "rescuer")
            defer { rescuer.kill() }
            let jobId = try #require(job["id"] as? String)
            var finished: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                finished = try await api.client.call("GET", "/api/jobs/\(jobId)", token: admin).object
                if let status = finished["status"] as? String, status == "done" || status == "failed" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(finished["status"] as? String == "done" && finished["attempts"] as? Int == 2, "\(finished) \(rescuer.log.suffix(1_500))")
            #expect((finished["leased_by"] as? String)?.hasSuffix(":\(rescuer.process.processIdentifier)") == true)
            // The table is whole: the manifest's file is the one the API serves, with the hash it announces.
            try await Task.sleep(for: .seconds(2))
            let after = try await orders()
            #expect(after.rows == before.rows && after.sha != nil)
            let download = try await api.client.call("GET", "/api/data/orders/download", token: admin)
            #expect(download.status == 200)
            #expect(DataPlaneFlowTests.sha256(download.body) == after.sha, "the downloaded file matches the manifest's hash")
        }
    }
}
