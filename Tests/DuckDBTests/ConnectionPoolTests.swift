// The connection pool: bounded concurrency off the caller's threads, correct results under load.
import DuckDB
import Foundation
import Testing

@Suite("connection pool")
struct ConnectionPoolTests {
    @Test("64 concurrent tasks through a pool of 4 get correct results")
    func concurrentTasks() async throws {
        try await withTemporaryDirectory { directory in
            let database = try Database(path: directory.appendingPathComponent("pool.duckdb").path, configuration: .init(threads: 2))
            let pool = try ConnectionPool(database: database, size: 4)
            try await pool.withConnection { try $0.execute("CREATE TABLE numbers AS SELECT i FROM range(100000) t(i); CREATE TABLE log (task INTEGER, total HUGEINT)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<64 {
                    group.addTask {
                        let total = try await pool.withConnection { connection in
                            try connection.scalar(Int128.self, "SELECT sum(i) FROM numbers WHERE i % 64 = $1", task)
                        }
                        let expected = (0..<100_000).filter { $0 % 64 == task }.reduce(Int128(0)) { $0 + Int128($1) }
                        #expect(total == expected)
                        try await pool.withTransaction { connection in
                            try connection.execute("INSERT INTO log VALUES ($1, $2)", task, total)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let logged = try await pool.withConnection { try $0.scalar(Int64.self, "SELECT count(DISTINCT task) FROM log") }
            #expect(logged == 64)
            try await pool.shutdown()
        }
    }

    @Test("work runs on the pool's threads, never more than its size at once")
    func boundedConcurrency() async throws {
        let pool = try ConnectionPool(database: try Database(configuration: .init(threads: 1)), size: 3)
        let counter = ConcurrencyCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    try await pool.withConnection { connection in
                        counter.enter()
                        defer { counter.leave() }
                        _ = try connection.scalar(Int64.self, "SELECT count(*) FROM range(2000000)")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(counter.maximum <= 3)
        #expect(counter.maximum >= 2)
        try await pool.shutdown()
    }
}

/// Counts how many bodies run at the same time.
final class ConcurrencyCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0

    func enter() {
        lock.lock()
        current += 1
        maximum = max(maximum, current)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        current -= 1
        lock.unlock()
    }
}
