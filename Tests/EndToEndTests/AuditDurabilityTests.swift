// The audit trail survives a crash: the entry of a change the server acknowledged is on disk before the response,
// so a kill -9 right after it loses nothing (reads may still be batched).
import AgnesTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("audit durability", .serialized)
struct AuditDurabilityTests {
    func start(_ dataDirectory: URL, port: Int) async throws -> Process {
        let server = Process()
        server.executableURL = binaries.appendingPathComponent("agnes-server")
        server.arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory.path]
        server.environment = ProcessInfo.processInfo.environment.merging(["AGNES_HOST": "127.0.0.1", "AGNES_BCRYPT_COST": "4",
                                                                          "AGNES_SCHEDULER": "off"]) { $1 }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        _ = try #require(await waitForHealth(port: port, server: server))
        return server
    }

    @Test("kill -9 right after acknowledged changes keeps every one of their audit entries")
    func changesSurviveACrash() async throws {
        let dataDirectory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let port = try freePort()
        let first = try await start(dataDirectory, port: port)
        let client = ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        let admin = try #require(try await client.call("POST", "/auth/bootstrap", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))
        var groups: [String] = []
        for index in 0..<5 {
            let created = try await client.call("POST", "/api/admin/groups", json: ["name": "crash-\(index)"], token: admin)
            #expect(created.status == 201)
            groups.append(try #require(created.string("id")))
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()

        let second = try await start(dataDirectory, port: port)
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        let audit = try await client.call("GET", "/api/admin/audit?limit=1000", token: admin)
        let entries = (audit.object["rows"] as? [[String: Any]]) ?? []
        let created = entries.filter { ($0["action"] as? String)?.contains("group") == true && $0["result"] as? String == "success" }
        #expect(created.count >= 5, "\(String(decoding: audit.body, as: UTF8.self).prefix(800))")
        #expect(entries.contains { ($0["action"] as? String) == "auth.bootstrap" })
    }
}
