// kill -9 of `agnes-server` at each named point of the state database's own work — a migration step, a backup, a
// restore, a write transaction, an audit flush (the points of `AgnesCore/CrashPoint.swift`, so nothing races): the
// database afterwards passes the consistency check, is the old one or the new one and never a mix, and the work done
// again completes.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

/// What is wrong with the state database of `dataDirectory` (empty: nothing): every table readable, the references
/// between users, groups, memberships, grants, tokens and the registry hold, and the migration ladder has no gap.
func stateProblems(_ dataDirectory: URL) throws -> [String] {
    let database = try Database(path: dataDirectory.appendingPathComponent("state/system.duckdb").path)
    defer { database.close() }
    let connection = try database.connect()
    defer { connection.close() }
    var problems: [String] = []
    for row in try connection.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").rows() {
        let table = row[0].stringValue!
        do { _ = try connection.scalar(Int64.self, "SELECT count(*) FROM \"\(table)\"") } catch { problems.append("\(table) is unreadable: \(error)") }
    }
    let references = [
        ("user_group_members", "user_id", "users", "id"), ("user_group_members", "group_id", "user_groups", "id"),
        ("resource_grants", "group_id", "user_groups", "id"), ("personal_access_tokens", "user_id", "users", "id"),
        ("sync_state", "table_id", "table_registry", "id"),
    ]
    let tables = Set(try connection.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").rows().compactMap { $0[0].stringValue })
    for (table, column, target, key) in references where tables.contains(table) && tables.contains(target) {
        let orphans = try connection.scalar(Int64.self, """
            SELECT count(*) FROM \(table) t WHERE t.\(column) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(target) x WHERE x.\(key) = t.\(column))
            """) ?? 0
        if orphans > 0 { problems.append("\(orphans) rows of \(table).\(column) name no \(target)") }
    }
    guard tables.contains("schema_migrations") else { return problems }
    let (count, newest) = (try connection.scalar(Int64.self, "SELECT count(*) FROM schema_migrations") ?? 0,
                           try connection.scalar(Int64.self, "SELECT coalesce(max(version), 0) FROM schema_migrations") ?? 0)
    if count != newest { problems.append("the migration ladder has a gap: \(count) steps recorded, the newest \(newest)") }
    return problems
}

@Suite("state crash", .serialized)
struct StateCrashTests {
    /// Runs `agnes-server arguments` with `AGNES_CRASH_AT=point` and returns whether it stopped itself there.
    func killed(at point: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Bool {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent("agnes-server")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["AGNES_CRASH_AT": point]) { $1 }) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await process.runUntilExit(timeout: .seconds(60))
        return process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    func migrated() throws -> URL {
        let data = try temporaryDirectory().appendingPathComponent("data")
        #expect(try run("agnes-server", ["migrate", "up", "--data-dir", data.path]).status == 0)
        return data
    }

    func groups(_ data: URL) throws -> Int64 {
        let connection = try Database(path: data.appendingPathComponent("state/system.duckdb").path).connect()
        return try connection.scalar(Int64.self, "SELECT count(*) FROM user_groups") ?? -1
    }

    @Test("a migration step killed inside its transaction is not recorded; the next start applies the whole ladder")
    func midMigration() async throws {
        let data = try temporaryDirectory().appendingPathComponent("data")
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        #expect(try await killed(at: "migrate.mid-step", ["migrate", "up", "--data-dir", data.path]))
        #expect(try stateProblems(data) == [])
        let again = try run("agnes-server", ["migrate", "up", "--data-dir", data.path])
        #expect(again.status == 0 && again.output.contains("schema version 0 →"), "\(again.output)")
        #expect(try run("agnes-server", ["migrate", "up", "--data-dir", data.path]).output.contains("up to date"))
        #expect(try stateProblems(data) == [])
    }

    @Test("a migration killed inside the third step of the ladder keeps the two before it; the next run applies the rest")
    func midLadder() async throws {
        let data = try temporaryDirectory().appendingPathComponent("data")
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        #expect(try await killed(at: "migrate.mid-step@3", ["migrate", "up", "--data-dir", data.path]))
        // The two steps committed before the kill are in the log, one of them an ALTER TABLE: DuckDB replays that only
        // through `WALReplayRecovery`, which every open of the state database goes through.
        let status = try run("agnes-server", ["migrate", "--data-dir", data.path])
        #expect(status.status == 0, "\(status.output)")
        #expect(try stateProblems(data) == [])
        do {
            let database = try Database(path: data.appendingPathComponent("state/system.duckdb").path, configuration: .init(accessMode: .readOnly))
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            #expect(try connection.scalar(Int64.self, "SELECT max(version) FROM schema_migrations") == 2)
        }
        let again = try run("agnes-server", ["migrate", "up", "--data-dir", data.path])
        #expect(again.status == 0 && again.output.contains("schema version 2 →"), "\(again.output)")
        #expect(try run("agnes-server", ["migrate", "up", "--data-dir", data.path]).output.contains("up to date"))
        #expect(try stateProblems(data) == [])
    }

    @Test("a backup killed mid-copy leaves no file under the backup's name; the next backup completes and opens")
    func midBackup() async throws {
        let data = try migrated()
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        let target = data.deletingLastPathComponent().appendingPathComponent("copy.duckdb")
        #expect(try await killed(at: "state.mid-copy", ["backup", "--data-dir", data.path, "--to", target.path]))
        #expect(!FileManager.default.fileExists(atPath: target.path), "a half-written backup carries the backup's name")
        #expect(try stateProblems(data) == [])
        #expect(try run("agnes-server", ["backup", "--data-dir", data.path, "--to", target.path]).status == 0)
        let copy = try Database(path: target.path, configuration: .init(accessMode: .readOnly)).connect()
        #expect(try copy.scalar(Int64.self, "SELECT count(*) FROM schema_migrations") ?? 0 > 0)
    }

    @Test("a restore killed before its rename leaves the database as it was; the next restore completes")
    func midRestore() async throws {
        let data = try migrated()
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        let backup = data.deletingLastPathComponent().appendingPathComponent("before.duckdb")
        #expect(try run("agnes-server", ["backup", "--data-dir", data.path, "--to", backup.path]).status == 0)
        // A change after the backup: the restore takes it away, the killed restore must not.
        do {
            let connection = try Database(path: data.appendingPathComponent("state/system.duckdb").path).connect()
            try connection.execute("INSERT INTO user_groups (id, name, created_at) VALUES ('g-after', 'After the backup', now())")
        }
        let before = try groups(data)
        #expect(try await killed(at: "restore.before-rename", ["restore", backup.path, "--data-dir", data.path]))
        #expect(try groups(data) == before)
        #expect(try stateProblems(data) == [])
        #expect(try run("agnes-server", ["restore", backup.path, "--data-dir", data.path]).status == 0)
        #expect(try groups(data) == before - 1)
        #expect(try stateProblems(data) == [])
    }

    static let seed = ["SEED_ADMIN_EMAIL": "root@example.com", "SEED_ADMIN_PASSWORD": "root password 123", "AGNES_BCRYPT_COST": "4",
                       "AGNES_SCHEDULER": "off", "AGNES_HOST": "127.0.0.1"]

    func emptyDataDirectory() throws -> URL {
        let data = try temporaryDirectory().appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: data.appendingPathComponent("server.log").path, contents: nil)
        return data
    }

    @Test("a server killed inside its first write transaction (seeding the administrator) starts again with the write whole or absent")
    func midWrite() async throws {
        let data = try emptyDataDirectory()
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        #expect(try await killed(at: "state.mid-write", ["serve", "--port", String(try freePort()), "--data-dir", data.path], environment: Self.seed))
        #expect(try stateProblems(data) == [])
        try await startsWithOneAdministrator(data)
    }

    @Test("a server killed while it appends a batch of audit entries starts again without a half-written entry")
    func midAuditFlush() async throws {
        let data = try emptyDataDirectory()
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        let port = try freePort()
        let server = Process()
        server.executableURL = binaries.appendingPathComponent("agnes-server")
        server.arguments = ["serve", "--port", String(port), "--data-dir", data.path]
        server.environment = ProcessInfo.processInfo.environment.merging(Self.seed.merging(["AGNES_CRASH_AT": "audit.mid-flush"]) { $1 }) { $1 }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        _ = try #require(await waitForHealth(port: port, server: server))
        // A refused sign-in is audited in the next batch (every 200 ms): the server stops itself appending it.
        let client = ServerClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        _ = try? await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "wrong password"])
        for _ in 0..<200 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if server.isRunning { kill(server.processIdentifier, SIGTERM) }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal && server.terminationStatus == SIGKILL, "the server did not stop at audit.mid-flush")
        #expect(try stateProblems(data) == [])
        try await startsWithOneAdministrator(data)
    }

    /// The server starts on `data`, and the seeded administrator exists once and signs in.
    func startsWithOneAdministrator(_ data: URL) async throws {
        let (server, client) = try await DataPlaneFlowTests().start(data, environment: Self.seed)
        defer { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() }
        let login = try await client.call("POST", "/auth/token", json: ["email": "root@example.com", "password": "root password 123"])
        #expect(login.string("access_token") != nil, "the seeded administrator signs in once the server starts again")
        let users = try await client.call("GET", "/api/users", token: login.string("access_token"))
        let emails = ((try? JSONSerialization.jsonObject(with: users.body)) as? [[String: Any]] ?? users.object["users"] as? [[String: Any]] ?? [])
            .compactMap { $0["email"] as? String }
        #expect(emails.filter { $0 == "root@example.com" }.count == 1, "\(emails)")
    }
}
