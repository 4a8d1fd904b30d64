// agnes-server with its state on PostgreSQL (AGNES_STATE_URL): the real binary against a private PostgreSQL cluster.
// The demo flow runs on it unchanged, nothing of the state is written under DATA_DIR, a second server on the same
// state sees the first one's users at once, and a session ended through one server is refused by the other within
// a second.
import AgnesTestSupport
import Foundation
import Testing

@Suite("agnes-server on a PostgreSQL state", .serialized)
struct PostgresStateServerTests {
    static let secrets = ["JWT_SECRET_KEY": String(repeating: "j", count: 40), "SESSION_SECRET": String(repeating: "s", count: 40)]

    /// Starts `agnes-server serve` on `environment`'s state with a data directory of its own.
    static func startServer(environment: [String: String]) async throws -> (process: Process, client: ServerClient, dataDirectory: URL) {
        let dataDirectory = try temporaryDirectory()
        let port = try freePort()
        let server = Process()
        server.executableURL = binaries.appendingPathComponent("agnes-server")
        server.arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory.path]
        server.environment = ProcessInfo.processInfo.environment.merging(environment.merging([
            "AGNES_HOST": "127.0.0.1", "AGNES_BCRYPT_COST": "4", "AGNES_SCHEDULER": "off",
        ]) { current, _ in current }) { $1 }
        let log = dataDirectory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        server.standardOutput = handle
        server.standardError = handle
        try server.run()
        guard await waitForHealth(port: port, server: server) != nil else {
            kill(server.processIdentifier, SIGKILL)
            throw DemoServerError(message: "the second server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        return (server, ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!), dataDirectory)
    }

    @Test("two servers share one PostgreSQL state: the demo flow works, nothing of the state is under DATA_DIR, a session ended on one is refused by the other within a second")
    func twoServersOneState() async throws {
        let cluster = try await offTheCooperativePool { try PostgresTestCluster.start() }
        defer { cluster.stop() }
        let environment = Self.secrets.merging(["AGNES_STATE_URL": "postgres://postgres:\(cluster.password)@127.0.0.1:\(cluster.port)/postgres"]) { $1 }
        let first = try await DemoServer.start(environment: environment)
        defer { first.stop() }
        #expect(!FileManager.default.fileExists(atPath: first.dataDirectory.appendingPathComponent("state/system.duckdb").path))
        #expect(first.log.contains("state: postgres://postgres@127.0.0.1:\(cluster.port)/postgres"))
        #expect(!first.log.contains(cluster.password), "the log never shows the state's password")

        // The analyst's grants and queries come from the PostgreSQL state.
        let count = try await first.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM orders"], token: first.analyst)
        #expect(count.status == 200)
        let refused = try await first.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) AS n FROM web_sessions"], token: first.analyst)
        #expect(refused.status == 403)

        // A second server on the same state knows the analyst's session at once.
        let second = try await Self.startServer(environment: environment)
        defer {
            kill(second.process.processIdentifier, SIGKILL)
            second.process.waitUntilExit()
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
    }
}
