// The PostgreSQL backend's own parts: statement splitting, values both ways, errors, the URL, the migration lock.
import AgnesTestSupport
@testable import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("PostgreSQL state backend")
struct PostgresStateTests {
    @Test("a statement list is split at its semicolons, not at those in quotes or comments")
    func severalStatements() {
        #expect(PostgresStateConnection.statements(in: "SELECT 1") == ["SELECT 1"])
        #expect(PostgresStateConnection.statements(in: "SELECT 1;\n  ") == ["SELECT 1"])
        #expect(PostgresStateConnection.statements(in: "SELECT ';' -- it's; fine\n") == ["SELECT ';' -- it's; fine\n"])
        #expect(PostgresStateConnection.statements(in: "CREATE TABLE a (x INT); CREATE TABLE b (y INT);\n-- done;\n")
                == ["CREATE TABLE a (x INT)", " CREATE TABLE b (y INT)"])
        #expect(PostgresStateConnection.statements(in: StateSchema.coreSchema).count == 20)
    }
}

/// Several stores on one PostgreSQL database, as several server processes would share it.
@Suite("PostgreSQL state shared by several processes")
struct SharedPostgresStateTests {
    /// Opens `count` stores on `database` at the same moment, each on a thread of its own.
    static func openTogether(_ count: Int, on database: StateLocation.PostgreSQL) async throws -> [StateStore] {
        try await withThrowingTaskGroup(of: StateStore.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await offTheCooperativePool {
                        try StateStore.open(dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("agnes-pg-state-\(UUID().uuidString)"),
                                            location: .postgreSQL(database), poolSize: 2)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Closes the stores and removes their data directories.
    static func close(_ stores: [StateStore]) async throws {
        for store in stores {
            try await store.close()
            try? FileManager.default.removeItem(at: store.stateDirectory.deletingLastPathComponent())
        }
    }

    /// Runs `body` with `count` stores opened together on `database`, and closes them whether it fails or not: a
    /// store released with its connections open stops the whole test process (PostgresNIO asserts in debug builds that
    /// a connection was closed), which would hide the failure that left it open.
    static func withStoresTogether(_ count: Int, on database: StateLocation.PostgreSQL,
                                   _ body: ([StateStore]) async throws -> Void) async throws {
        let stores = try await openTogether(count, on: database)
        do {
            try await body(stores)
        } catch {
            try? await close(stores)
            throw error
        }
        try await close(stores)
    }

    @Test("stores opened at the same moment on an empty database migrate it exactly once")
    func migrateOnce() async throws {
        let database = try await SharedStatePostgres.createDatabase()
        defer { SharedStatePostgres.dropInBackground(database) }
        try await Self.withStoresTogether(4, on: database) { stores in
            let versions = try await stores[0].read { try $0.rows("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version") }
            #expect(versions.map { $0[0].integerValue.map(Int.init) } == StateSchema.migrator.migrations.map { Optional($0.version) })
            #expect(versions.allSatisfy { $0[1].integerValue == 1 })
            let everyone = try await stores[0].read { try $0.scalar(Int64.self, "SELECT count(*) FROM user_groups WHERE name = 'Everyone'") }
            #expect(everyone == 1)
            #expect(Set(stores.map(\.everyoneGroupId)).count == 1)
        }
    }

    @Test("a write through one store makes another's cached values stale within a second")
    func writesReachOtherStores() async throws {
        let database = try await SharedStatePostgres.createDatabase()
        defer { SharedStatePostgres.dropInBackground(database) }
        try await Self.withStoresTogether(2, on: database) { stores in
            let (writer, reader) = (stores[0], stores[1])
            let users = UsersRepository(store: writer)
            let ada = try await users.create(email: "ada@example.com", name: "Ada")
            let cache = StateCache<String?>(store: reader, maximumAge: .seconds(600))
            let load: @Sendable () async throws -> String? = { try await UsersRepository(store: reader).get(id: ada.id)?.name }
            // Let the reader's listener see the creation, then cache the name.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await cache.value(for: ada.id, load: load) == "Ada")
            let before = reader.generation
            _ = try await users.update(id: ada.id, name: "Ada Lovelace", email: nil)
            let deadline = ContinuousClock.now + .seconds(1)
            while reader.generation == before && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(reader.generation != before, "the reader heard of the write within a second")
            #expect(try await cache.value(for: ada.id, load: load) == "Ada Lovelace")
        }
    }

    @Test("read-modify-write transactions from two stores on the same row lose no update")
    func concurrentWritersAcrossStores() async throws {
        let database = try await SharedStatePostgres.createDatabase()
        defer { SharedStatePostgres.dropInBackground(database) }
        try await Self.withStoresTogether(2, on: database) { stores in
            try await stores[0].write { try $0.execute("INSERT INTO instance_templates (key, content) VALUES ('counter', '0')") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        try await stores[index % 2].write { connection in
                            let value = Int(try connection.scalar(String.self, "SELECT content FROM instance_templates WHERE key = 'counter'") ?? "0")!
                            try connection.execute("UPDATE instance_templates SET content = $1 WHERE key = 'counter'", String(value + 1))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await stores[1].read { try $0.scalar(String.self, "SELECT content FROM instance_templates WHERE key = 'counter'") } == "32")
        }
    }
}

@Suite("rate-limit windows")
struct RateLimitRepositoryTests {
    @Test("a window counts attempts and starts again once it is over", arguments: StateBackendUnderTest.all)
    func counts(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let limits = RateLimitRepository(store: store)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for expected in 1...3 {
                let window = try await limits.count(key: "k", window: .seconds(60), now: start.addingTimeInterval(Double(expected)))
                #expect(window.count == expected && window.start == start.addingTimeInterval(1))
            }
            #expect(try await limits.count(key: "other", window: .seconds(60), now: start).count == 1)
            let later = start.addingTimeInterval(61.5)
            let renewed = try await limits.count(key: "k", window: .seconds(60), now: later)
            #expect(renewed.count == 1 && renewed.start == later)
            try await limits.removeWindows(startedBefore: start.addingTimeInterval(30))
            #expect(try await limits.count(key: "other", window: .seconds(3_600), now: later).count == 1, "the old window was dropped")
            #expect(try await limits.count(key: "k", window: .seconds(60), now: later).count == 2, "the current window was kept")
        }
    }

    @Test("processes sharing a PostgreSQL state count against the same window, losing no attempt")
    func sharedAcrossStores() async throws {
        let database = try await SharedStatePostgres.createDatabase()
        defer { SharedStatePostgres.dropInBackground(database) }
        try await SharedPostgresStateTests.withStoresTogether(2, on: database) { stores in
            let now = Date()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask { _ = try await RateLimitRepository(store: stores[index % 2]).count(key: "shared", window: .seconds(60), now: now) }
                }
                try await group.waitForAll()
            }
            #expect(try await RateLimitRepository(store: stores[0]).count(key: "shared", window: .seconds(60), now: now).count == 41)
        }
    }
}
