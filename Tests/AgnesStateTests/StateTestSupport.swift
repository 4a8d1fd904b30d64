// Helpers for state-layer tests: temporary data directories and stores.
import AgnesTestSupport
@testable import AgnesState
import Foundation
import Testing

/// A fresh temporary DATA_DIR, removed afterwards.
func withDataDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-state-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// The state backends the repository suites run against: every such test takes one as its argument.
enum StateBackendUnderTest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case duckDB = "DuckDB"
    case postgreSQL = "PostgreSQL"

    static let all = allCases
    var testDescription: String { rawValue }
}

/// A migrated store, closed after `body`: in memory on DuckDB, or a new database of the test process's PostgreSQL
/// cluster (dropped afterwards).
func withStore<T>(_ backend: StateBackendUnderTest = .duckDB, poolSize: Int = StateStore.defaultPoolSize,
                  _ body: (StateStore) async throws -> T) async throws -> T {
    switch backend {
    case .duckDB:
        return try await using(try StateStore.inMemory(poolSize: poolSize), body)
    case .postgreSQL:
        let database = try await SharedStatePostgres.createDatabase()
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-pg-state-\(UUID().uuidString)")
        let outcome: Result<T, any Error>
        do {
            let store = try await offTheCooperativePool {
                try StateStore.open(dataDirectory: dataDirectory, location: .postgreSQL(database), poolSize: poolSize)
            }
            outcome = .success(try await using(store, body))
        } catch {
            outcome = .failure(error)
        }
        _ = try? await offTheCooperativePool { SharedStatePostgres.dropDatabase(database) }
        try? FileManager.default.removeItem(at: dataDirectory)
        return try outcome.get()
    }
}

/// Runs `body` with `store` and closes it, whether `body` throws or not.
private func using<T>(_ store: StateStore, _ body: (StateStore) async throws -> T) async throws -> T {
    do {
        let value = try await body(store)
        try await store.close()
        return value
    } catch {
        try? await store.close()
        throw error
    }
}

let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The test process's PostgreSQL cluster (`PostgresTestCluster.shared()`, started on first use and stopped by its pid
/// when the process exits); each test gets a database of its own in it.
enum SharedStatePostgres {
    private static let cluster: Result<PostgresTestCluster, any Error> = Result { try PostgresTestCluster.shared() }

    /// The cluster's `postgres` database, or the one named.
    static func location(database: String = "postgres") throws -> StateLocation.PostgreSQL {
        let cluster = try cluster.get()
        return try StateLocation.PostgreSQL(url: "postgres://postgres:\(cluster.password)@127.0.0.1:\(cluster.port)/\(database)")
    }

    /// The password of the cluster's superuser (to check that it shows nowhere).
    static func password() throws -> String { try cluster.get().password }

    /// A new, empty database.
    static func createDatabase() async throws -> StateLocation.PostgreSQL {
        try await offTheCooperativePool {
            let name = "agnes_state_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
            try administer("CREATE DATABASE \(name)")
            return try location(database: name)
        }
    }

    /// Drops a database made by `createDatabase` (ending any connection still open to it).
    static func dropDatabase(_ database: StateLocation.PostgreSQL) {
        try? administer("DROP DATABASE IF EXISTS \(database.database) WITH (FORCE)")
    }

    /// `dropDatabase` on a thread of its own (for a `defer`, which cannot wait).
    static func dropInBackground(_ database: StateLocation.PostgreSQL) {
        Thread { dropDatabase(database) }.start()
    }

    private static func administer(_ sql: String) throws {
        let connection = try PostgresStatePool.open(try location(), id: 0)
        defer { connection.close() }
        try connection.execute(sql)
    }
}

/// The store's write generation once it has stopped moving (on PostgreSQL a write's own notification reaches the
/// store's listener a moment after the write returns), waiting at most five seconds.
func settledGeneration(of store: StateStore) async throws -> UInt64 {
    var last = store.generation
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(store.dialect == .postgreSQL ? 300 : 0))
        let now = store.generation
        if now == last { return now }
        last = now
    }
    return last
}
