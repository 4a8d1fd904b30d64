// The files `agnes init`, `push` and `pull` keep in a workspace: Claude Code settings merged without losing the user's
// own hooks, the push queue (one entry per session, safe upload names), the single-push lock, and the memory rules
// written from a bundle with stale ones removed.
@testable import AgnesClient
import AgnesAPI
import Foundation
import Testing

@Suite("workspace files")
struct WorkspaceFilesTests {
    func workspace() throws -> Workspace {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".claude"), withIntermediateDirectories: true)
        return Workspace(root: root)
    }

    @Test("settings.json keeps the user's settings and hooks, replaces earlier agnes hooks, refuses to overwrite junk")
    func settings() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let existing = #"""
            {"model": "opus", "permissions": {"allow": ["Read", "Bash(git:*)"]},
             "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "echo hello"}]},
                                        {"hooks": [{"type": "command", "command": "agnes pull --quiet"}]}]}}
            """#
        try existing.write(to: workspace.settingsFile, atomically: true, encoding: .utf8)
        let initializer = WorkspaceInitializer(api: APIClient(baseURL: "http://127.0.0.1:1", token: nil), workspace: workspace)
        try initializer.writeSettings()
        try initializer.writeSettings()
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.settingsFile)) as? [String: Any])
        #expect(settings["model"] as? String == "opus")
        #expect(settings["permissions"] as? [String: [String]] == ["allow": ["Read", "Bash(git:*)", "Bash(agnes:*)", "Grep", "Glob", "mcp__agnes"]])
        #expect(settings["enabledMcpjsonServers"] as? [String] == ["agnes"], "written once, however often init runs")
        let hooks = try #require(settings["hooks"] as? [String: [[String: Any]]])
        let start = (hooks["SessionStart"] ?? []).flatMap { $0["hooks"] as? [[String: Any]] ?? [] }.compactMap { $0["command"] as? String }
        #expect(start == ["echo hello", WorkspaceInitializer.pullHook])
        let end = (hooks["SessionEnd"] ?? []).flatMap { $0["hooks"] as? [[String: Any]] ?? [] }.compactMap { $0["command"] as? String }
        #expect(end == [WorkspaceInitializer.pushHook])

        try "not json".write(to: workspace.settingsFile, atomically: true, encoding: .utf8)
        #expect(throws: ClientError.self) { try initializer.writeSettings() }
        #expect(try String(contentsOf: workspace.settingsFile, encoding: .utf8) == "not json")
    }

    @Test(".mcp.json registers agnes mcp, keeps the user's other servers, and is never overwritten when unreadable")
    func mcpRegistration() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try #"{"mcpServers": {"github": {"command": "gh-mcp"}}, "other": 1}"#.write(to: workspace.mcpFile, atomically: true, encoding: .utf8)
        let initializer = WorkspaceInitializer(api: APIClient(baseURL: "http://127.0.0.1:1", token: nil), workspace: workspace)
        try initializer.writeMCPRegistration()
        try initializer.writeMCPRegistration()
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.mcpFile)) as? [String: Any])
        let servers = try #require(registration["mcpServers"] as? [String: [String: Any]])
        #expect(Set(servers.keys) == ["github", "agnes"] && registration["other"] as? Int == 1)
        #expect(servers["agnes"]?["command"] as? String == "agnes" && servers["agnes"]?["args"] as? [String] == ["mcp"])
        try "{".write(to: workspace.mcpFile, atomically: true, encoding: .utf8)
        #expect(throws: ClientError.self) { try initializer.writeMCPRegistration() }
        #expect(try String(contentsOf: workspace.mcpFile, encoding: .utf8) == "{")
    }

    @Test("snapshot time to live: 7d, 12h and 30m parse, anything else is refused; expired snapshots are dropped, others kept")
    func snapshotTimeToLive() throws {
        #expect(Snapshots.timeToLive("7d") == 7 * 86_400 && Snapshots.timeToLive("12h") == 43_200 && Snapshots.timeToLive("30m") == 1_800)
        for bad in ["", "d", "0d", "-1h", "5s", "1.5h", "7 d", "h7"] { #expect(Snapshots.timeToLive(bad) == nil, "\(bad)") }
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try FileManager.default.createDirectory(at: workspace.snapshotsDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let now = Date()
        for (name, expires) in [("old", now.addingTimeInterval(-60)), ("fresh", now.addingTimeInterval(3_600))] as [(String, Date?)] + [("kept", nil)] {
            var snapshot = Snapshot(name: name, tableId: "orders", select: nil, where: nil, orderBy: nil, limit: nil, createdAt: now, rows: 1, bytes: 1)
            snapshot.expiresAt = expires
            try encoder.encode(snapshot).write(to: workspace.snapshotsDirectory.appendingPathComponent("\(name).meta.json"))
            try Data("PAR1".utf8).write(to: workspace.snapshotsDirectory.appendingPathComponent("\(name).parquet"))
        }
        let snapshots = Snapshots(api: APIClient(baseURL: "http://127.0.0.1:1", token: nil), workspace: workspace)
        #expect(try snapshots.dropExpired(at: now) == ["old"])
        #expect(snapshots.list().map(\.name) == ["fresh", "kept"])
        #expect(!FileManager.default.fileExists(atPath: workspace.snapshotsDirectory.appendingPathComponent("old.parquet").path))
    }

    @Test("the push queue keeps one entry per session; upload names are safe; one push at a time")
    func queue() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let pusher = Pusher(api: APIClient(baseURL: "http://127.0.0.1:1", token: nil), workspace: workspace)
        try pusher.enqueue(sessionId: "a", transcript: "/tmp/a.jsonl")
        try pusher.enqueue(sessionId: "b", transcript: "/tmp/b.jsonl")
        try pusher.enqueue(sessionId: "a", transcript: "/tmp/a2.jsonl")
        #expect(pusher.queue() == [.init(id: "b", transcript: "/tmp/b.jsonl"), .init(id: "a", transcript: "/tmp/a2.jsonl")])
        #expect(throws: ClientError.self) { try pusher.enqueue(sessionId: "\t", transcript: "/tmp/x") }
        #expect(Pusher.uploadName("7f3a-session") == "7f3a-session.jsonl")
        #expect(Pusher.uploadName("../../etc/passwd x") == ".._.._etc_passwd_x.jsonl")
        #expect(Pusher.uploadName(String(repeating: "é", count: 300)).count == 196)

        let held = try #require(try FileLock.acquire(workspace.pushLockFile, wait: false))
        #expect(try FileLock.acquire(workspace.pushLockFile, wait: false) == nil)
        held.unlock()
        #expect(try FileLock.acquire(workspace.pushLockFile, wait: false) != nil)
    }

    @Test("memory rules: one file per mandatory item, one roll-up of approved ones, stale rules removed, unsafe ids skipped")
    func rules() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let rules = MemoryRules(workspace: workspace)
        let first = MemoryBundle(mandatory: [try listing(["id": "k1", "title": "Revenue excludes refunds", "domain": "finance", "category": "metrics",
                                                            "content": "Always net of refunds.\n"]),
                                             try listing(["id": "../evil", "title": "no"])],
                                 approved: [try listing(["id": "k2", "title": "Orders are in EUR", "content": "amount is EUR"])],
                                 tokenEstimate: 0, tokenBudget: 6_000)
        #expect(try rules.write(bundle: first) == 2)
        let k1 = try String(contentsOf: workspace.rulesDirectory.appendingPathComponent("km_k1.md"), encoding: .utf8)
        #expect(k1 == "# Revenue excludes refunds\n\n_Domain: finance_\n_Category: metrics_\n\nAlways net of refunds.\n")
        #expect(try String(contentsOf: workspace.rulesDirectory.appendingPathComponent("km_approved.md"), encoding: .utf8).contains("## Orders are in EUR"))
        try "mine".write(to: workspace.rulesDirectory.appendingPathComponent("my-own-rule.md"), atomically: true, encoding: .utf8)
        #expect(try rules.write(bundle: MemoryBundle(mandatory: [try listing(["id": "k3", "title": "New"])], approved: [], tokenEstimate: 0,
                                                     tokenBudget: 6_000)) == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: workspace.rulesDirectory.path).sorted()
        #expect(names == ["km_k3.md", "my-own-rule.md"])
    }

    /// A bundle item as the server sends it, with `fields` over the required ones.
    func listing(_ fields: [String: String]) throws -> KnowledgeListing {
        var object: [String: JSONValue] = ["tags": [], "status": "approved", "contributors": [], "created_at": "2026-12-01T10:00:00Z",
                                           "updated_at": "2026-12-01T10:00:00Z", "upvotes": 0, "downvotes": 0, "my_vote": 0]
        for (key, value) in fields { object[key] = .string(value) }
        return try JSONCoding.decoder.decode(KnowledgeListing.self, from: try JSONCoding.encoder.encode(JSONValue.object(object)))
    }
}
