// The real agnes-server binary on a PostgreSQL state, beyond serving: two servers started at the same moment on an
// empty database migrate it once; `export` and `import` move an installation onto PostgreSQL and back, and an import
// killed just before its commit leaves PostgreSQL as it was.
import AgnesState
import AgnesTestSupport
import Foundation
import Testing

extension SharedStateServers {
    @Suite("agnes-server maintenance on a PostgreSQL state", .serialized)
    struct PostgresMaintenanceCommandTests {
        /// What a finished `agnes-server` command did.
        struct Outcome {
            let status: Int32
            let killed: Bool
            let output: String
        }

        /// Runs `agnes-server arguments` with `environment` over the test process's, without blocking Swift's pool.
        static func agnesServer(_ arguments: [String], environment: [String: String]) async throws -> Outcome {
            let process = Process()
            process.executableURL = binaries.appendingPathComponent("agnes-server")
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let log = try temporaryDirectory().appendingPathComponent("command.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try await process.runUntilExit(timeout: .seconds(120))
            try handle.close()
            defer { try? FileManager.default.removeItem(at: log.deletingLastPathComponent()) }
            return Outcome(status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal,
                           output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        @Test("two servers started at the same moment on an empty PostgreSQL database migrate it exactly once")
        func twoServersMigrateOnce() async throws {
            let (cluster, database) = try await PostgresStateServerTests.newStateDatabase()
            let environment = PostgresStateServerTests.secrets.merging(["AGNES_STATE_URL": cluster.url(database: database)]) { $1 }
            async let first = PostgresStateServerTests.startServer(environment: environment, name: "first")
            async let second = PostgresStateServerTests.startServer(environment: environment, name: "second")
            let servers = try await [first, second]
            defer { servers.forEach { $0.kill() } }
            for server in servers { #expect(try await server.client.call("GET", "/api/health").status == 200) }

            let steps = StateSchema.migrator.latestVersion
            let migrated = servers.filter { $0.log.contains("state: schema version \(steps), migrated from 0, applied \(steps) step(s)") }
            let current = servers.filter { $0.log.contains("state: schema version \(steps), up to date") }
            #expect(migrated.count == 1 && current.count == 1, "one server migrates, the other finds it done: \(servers.map(\.log))")
            // Every step is recorded once, applied.
            let status = try await Self.agnesServer(["migrate", "--status", "--data-dir", try temporaryDirectory().path], environment: environment)
            #expect(status.status == 0)
            let lines = status.output.split(separator: "\n").filter { $0.first?.isNumber == true }
            #expect(lines.count == steps && lines.allSatisfy { $0.contains("\tapplied ") }, "\(status.output)")
        }

        @Test("export and import move an installation onto PostgreSQL and back; an import killed before its commit changes nothing")
        func moveAndKilledImport() async throws {
            let (cluster, database) = try await PostgresStateServerTests.newStateDatabase()
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let postgres = ["AGNES_STATE_URL": cluster.url(database: database)]
            let embedded = directory.appendingPathComponent("embedded").path, shared = directory.appendingPathComponent("shared").path
            func export(_ name: String, dataDirectory: String, environment: [String: String]) async throws -> URL {
                let target = directory.appendingPathComponent(name)
                let outcome = try await Self.agnesServer(["export", "--json", target.path, "--data-dir", dataDirectory], environment: environment)
                #expect(outcome.status == 0, "\(outcome.output)")
                return target
            }
            func manifest(_ export: URL) throws -> JSONExportManifest {
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                return try decoder.decode(JSONExportManifest.self, from: Data(contentsOf: export.appendingPathComponent("manifest.json")))
            }
            func expectSame(_ a: URL, _ b: URL) throws {
                let tables = try manifest(a).tables.keys
                for table in tables {
                    #expect(try Data(contentsOf: a.appendingPathComponent("\(table).json")) == Data(contentsOf: b.appendingPathComponent("\(table).json")),
                            "\(table).json differs between \(a.lastPathComponent) and \(b.lastPathComponent)")
                }
            }

            // An embedded installation with some history.
            let legacy = directory.appendingPathComponent("legacy")
            try LegacyDataGenerator(records: 2_000).write(to: legacy)
            #expect(try await Self.agnesServer(["import-legacy", "--from", legacy.path, "--data-dir", embedded], environment: [:]).status == 0)
            let original = try await export("original", dataDirectory: embedded, environment: [:])
            #expect(try manifest(original).tables["knowledge_items"] ?? 0 > 0)

            // Killed after writing every table on PostgreSQL, before the commit: nothing of it is there.
            let killed = try await Self.agnesServer(["import", "--json", original.path, "--data-dir", shared],
                                                    environment: postgres.merging(["AGNES_CRASH_AT": "postgres-mirror.before-commit"]) { $1 })
            #expect(killed.killed, "the import did not stop at postgres-mirror.before-commit: \(killed.output)")
            let afterKill = try manifest(try await export("after-kill", dataDirectory: shared, environment: postgres))
            #expect(afterKill.tables["users"] == 0 && afterKill.tables["knowledge_items"] == 0)

            // Run again, it completes, and PostgreSQL's export is the embedded one, file for file.
            let imported = try await Self.agnesServer(["import", "--json", original.path, "--data-dir", shared], environment: postgres)
            #expect(imported.status == 0 && imported.output.contains("imported"), "\(imported.output)")
            let onPostgres = try await export("on-postgres", dataDirectory: shared, environment: postgres)
            try expectSame(original, onPostgres)
            // The killed run's scratch copy was cleared by the next one (with the killed process's scratch folder).
            let scratch = FileManager.default.enumerator(atPath: shared + "/tmp")?.compactMap { $0 as? String } ?? []
            #expect(!scratch.contains { $0.contains("state-copy-") }, "\(scratch)")

            // And back onto a new embedded database.
            let back = directory.appendingPathComponent("back").path
            #expect(try await Self.agnesServer(["import", "--json", onPostgres.path, "--data-dir", back], environment: [:]).status == 0)
            try expectSame(original, try await export("back", dataDirectory: back, environment: [:]))

            // What copies the embedded database's file says what to use instead, and never shows the password.
            let backup = try await Self.agnesServer(["backup", "--data-dir", shared], environment: postgres)
            #expect(backup.status != 0 && backup.output.contains("export --json") && !backup.output.contains(cluster.password), "\(backup.output)")
        }
    }
}
