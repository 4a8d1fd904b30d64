// The backup drill (docs/reliability.md): `POST /api/admin/backup` while 16 clients write (memory items and users:
// the backup once 60 writes are acknowledged, the writers stopping once 60 more are — counts, not clock times)
// holds every write acknowledged before the backup was asked for; `agnes-server restore` puts it into a fresh data
// directory, which passes the state consistency check, and a server started there serves each of those rows.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("backup drill", .serialized)
struct BackupDrillTests {
    /// The backup's answer, as the task that asked for it hands it over.
    struct Answer: @unchecked Sendable {
        let status: Int
        let object: [String: Any]
        let text: String
    }

    /// The writes the clients saw acknowledged, with when.
    actor Ledger {
        var items: [(id: String, at: ContinuousClock.Instant)] = []
        var users: [(email: String, at: ContinuousClock.Instant)] = []
        /// Set once the writers may stop.
        var done = false
        func item(_ id: String) { items.append((id, .now)) }
        func user(_ email: String) { users.append((email, .now)) }
        var count: Int { items.count + users.count }
        func finish() { done = true }

        /// Waits until `count` writes were acknowledged (however slow the machine).
        func waitFor(_ count: Int) async throws {
            while self.count < count { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    @Test("a backup while 16 clients write holds every write acknowledged before it; restored into a fresh DATA_DIR, every row is there")
    func drill() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let ledger = Ledger()
        let (backup, begun, answered) = try await withThrowingTaskGroup(of: (Answer, ContinuousClock.Instant, ContinuousClock.Instant)?.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    var count = 0
                    while await !ledger.done {
                        count += 1
                        if writer.isMultiple(of: 2) {
                            let created = try await client.call("POST", "/api/memory", json: ["title": "drill \(writer)-\(count)", "content": "written during a backup",
                                                                                             "category": "drill"], token: server.analyst)
                            if created.status == 201, let id = created.object["id"] as? String ?? (created.object["item"] as? [String: Any])?["id"] as? String {
                                await ledger.item(id)
                            }
                        } else {
                            let email = "drill-\(writer)-\(count)@example.com"
                            if try await client.call("POST", "/api/users", json: ["email": email, "name": "Drill"], token: server.admin).status == 201 {
                                await ledger.user(email)
                            }
                        }
                    }
                    return nil
                }
            }
            // The backup once 60 writes are acknowledged; the writers stop once 60 more are, after it answered.
            group.addTask {
                try await ledger.waitFor(60)
                let begun = ContinuousClock.now
                let backup = try await client.call("POST", "/api/admin/backup", token: server.admin)
                let answered = ContinuousClock.now
                try await ledger.waitFor(await ledger.count + 60)
                await ledger.finish()
                return (Answer(status: backup.status, object: backup.object, text: String(decoding: backup.body, as: UTF8.self)), begun, answered)
            }
            var result: (Answer, ContinuousClock.Instant, ContinuousClock.Instant)?
            for try await answer in group { if let answer { result = answer } }
            return try #require(result)
        }
        #expect(backup.status == 201, "\(backup.text)")
        let path = try #require(backup.object["path"] as? String)
        let items = await ledger.items, users = await ledger.users
        let before = (items: items.filter { $0.at < begun }.map(\.id), users: users.filter { $0.at < begun }.map(\.email))
        let during = items.filter { $0.at >= begun && $0.at <= answered }.count + users.filter { $0.at >= begun && $0.at <= answered }.count
        print(#"{"drill":"backup","acknowledged_before":\#(before.items.count + before.users.count),"acknowledged_during_backup":\#(during),"#
              + #""acknowledged_in_all":\#(items.count + users.count),"backup_rows":\#(backup.object["rows"] as? Int ?? -1)}"#)
        #expect(before.items.count + before.users.count >= 60 && !before.items.isEmpty && !before.users.isEmpty, "the writers wrote before the backup")

        // Restored into a fresh data directory.
        let fresh = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: fresh) }
        let restored = try run("agnes-server", ["restore", path, "--data-dir", fresh.path])
        #expect(restored.status == 0, "\(restored.output)")
        #expect(try stateProblems(fresh).isEmpty)
        do {
            let database = try Database(path: fresh.appendingPathComponent("state/system.duckdb").path)
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            let itemIds = Set(try connection.query("SELECT id FROM knowledge_items WHERE category = 'drill'").rows().compactMap { $0[0].stringValue })
            let emails = Set(try connection.query("SELECT email FROM users WHERE email LIKE 'drill-%'").rows().compactMap { $0[0].stringValue })
            #expect(Set(before.items).subtracting(itemIds).isEmpty, "items acknowledged before the backup are missing from it")
            #expect(Set(before.users).subtracting(emails).isEmpty, "users acknowledged before the backup are missing from it")
            #expect(itemIds.isSubset(of: Set(items.map(\.id))) && emails.isSubset(of: Set(users.map(\.email))), "the backup holds only acknowledged writes")
        }
        // A server on the restored directory serves them.
        _ = FileManager.default.createFile(atPath: fresh.appendingPathComponent("server.log").path, contents: nil)
        let (process, restoredClient) = try await DataPlaneFlowTests().start(fresh, environment: [:])
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let login = try await restoredClient.call("POST", "/auth/token", json: ["email": DemoServer.analystEmail, "password": DemoServer.analystPassword])
        let token = try #require(login.string("access_token"))
        for id in [before.items.first, before.items.last].compactMap({ $0 }) {
            #expect(try await restoredClient.call("GET", "/api/memory/\(id)", token: token).status == 200, "\(id)")
        }
    }

    @Test("a server killed while it writes an online backup leaves no file under the backup's name; restarted, the next backup completes")
    func killedMidBackup() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_CRASH_AT": "state.mid-copy"])
        defer { server.stop() }
        _ = try? await server.client.call("POST", "/api/admin/backup", token: server.admin)
        try await server.process.exit(within: .seconds(60))
        #expect(server.process.terminationReason == .uncaughtSignal && server.process.terminationStatus == SIGKILL, "the server did not stop mid-copy")
        let backups = server.dataDirectory.appendingPathComponent("state/backups")
        let named = ((try? FileManager.default.contentsOfDirectory(atPath: backups.path)) ?? []).filter { $0.hasPrefix("system-online-") }
        #expect(named.isEmpty, "a half-written backup carries a backup's name: \(named)")
        #expect(try stateProblems(server.dataDirectory) == [])
        let (process, client) = try await DataPlaneFlowTests().start(server.dataDirectory, environment: [:])
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let admin = try #require(try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
            .string("access_token"))
        let backup = try await client.call("POST", "/api/admin/backup", token: admin)
        #expect(backup.status == 201 && FileManager.default.fileExists(atPath: backup.object["path"] as? String ?? "/nonexistent"))
    }
}
