// The real binaries with table data on DuckLake (AGNES_DATA_LAKE=on, its catalog in the state's PostgreSQL): a worker
// writes the demo tables to the lake in the shared DATA_DIR, an API replica serves them from it, and while a sync job
// replaces a table's version the replica answers every query, before and after the switch.
import AgnesTestSupport
import Foundation
import Testing

extension SharedStateServers {
    @Suite("agnes-server with table data on DuckLake", .serialized)
    struct DataLakeServerTests {
        @Test("a worker writes synced tables to the lake; an API replica serves them, and answers every query while a new version replaces the old")
        func workerWritesReplicaReads() async throws {
            let (cluster, database) = try await PostgresStateServerTests.newStateDatabase()
            let environment = PostgresStateServerTests.secrets.merging([
                "AGNES_STATE_URL": cluster.url(database: database), "AGNES_DATA_LAKE": "on",
            ]) { $1 }
            let shared = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: shared) }
            let worker = try await PostgresStateServerTests.startServer(environment: environment, arguments: ["--role", "worker", "--demo"],
                                                                        dataDirectory: shared, name: "worker")
            defer { worker.kill() }
            let api = try await PostgresStateServerTests.startServer(environment: environment, arguments: ["--role", "api"], dataDirectory: shared, name: "api")
            defer { api.kill() }
            #expect(api.log.contains("data lake: catalog in the state database (schema agnes_lake)"))
            #expect(!api.log.contains(cluster.password) && !worker.log.contains(cluster.password), "a log shows the state's password")
            let boot = try await api.client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
            let admin = try #require(boot.string("access_token"))

            // The demo tables the worker synced are lake tables, with their files under DATA_DIR/lake.
            let lakeFiles = { (table: String) -> Set<String> in
                let folder = shared.appendingPathComponent("lake/main/\(table)")
                return Set(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".parquet") })
            }
            let before = lakeFiles("orders")
            #expect(!before.isEmpty, "no lake files for orders: \(worker.log.suffix(2_000))")
            func orders() async throws -> Int? {
                let answer = try await api.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM orders"], token: admin)
                return answer.status == 200 ? (answer.object["rows"] as? [[Int]])?.first?.first : nil
            }
            let expected = try #require(try await orders())
            #expect(expected > 0)

            // A sync of orders through the API replica: the worker writes a new version; the replica switches to it when
            // the sync is recorded. Every query meanwhile answers, with the same rows.
            let trigger = try await api.client.call("POST", "/api/sync/trigger", json: ["tables": ["orders"]], token: admin)
            #expect(trigger.status == 200)
            let deadline = ContinuousClock.now + .seconds(90)
            var answers: [Int?] = []
            while lakeFiles("orders").subtracting(before).isEmpty && ContinuousClock.now < deadline {
                answers.append(try await orders())
            }
            // The replica follows the shared state once the sync is recorded; keep asking across the switch, and a little after.
            while !api.log.contains("engine rebuilt") && ContinuousClock.now < deadline { answers.append(try await orders()) }
            let switched = ContinuousClock.now
            while ContinuousClock.now - switched < .seconds(1) { answers.append(try await orders()) }
            #expect(!lakeFiles("orders").subtracting(before).isEmpty, "the worker wrote no new version: \(worker.log.suffix(2_000))")
            #expect(!answers.isEmpty && answers.allSatisfy { $0 == expected }, "answers across the switch: \(Set(answers.map { "\($0.map(String.init) ?? "error")" }))")
            #expect(api.log.contains("engine rebuilt"), "the replica did not pick up the new version: \(api.log.suffix(2_000))")
        }
    }
}
