// The state cache serves a value until the next write through the store, and never one read before that write.
import AgnesState
import Foundation
import Synchronization
import Testing

@Suite("state cache")
struct StateCacheTests {
    @Test("a cached value is reused until a write, then read again")
    func invalidatedByWrites() async throws {
        let store = try StateStore.inMemory(poolSize: 2)
        let users = UsersRepository(store: store)
        // Entries do not age out within the test, however slow the machine: what is tested is writes.
        let cache = StateCache<Int>(store: store, maximumAge: .seconds(3600))
        let loads = Atomic<Int>(0)
        let count: @Sendable () async throws -> Int = {
            loads.add(1, ordering: .relaxed)
            return try await users.counts().total
        }
        #expect(try await cache.value(for: "users", load: count) == 0)
        #expect(try await cache.value(for: "users", load: count) == 0)
        #expect(loads.load(ordering: .relaxed) == 1)
        _ = try await users.create(email: "a@example.com")
        #expect(try await cache.value(for: "users", load: count) == 1)
        #expect(loads.load(ordering: .relaxed) == 2)
        try await store.close()
    }

    @Test("a value read while a write commits is not kept past that write")
    func writeDuringLoad() async throws {
        let store = try StateStore.inMemory(poolSize: 2)
        let users = UsersRepository(store: store)
        // Entries do not age out within the test, however slow the machine: what is tested is writes.
        let cache = StateCache<Int>(store: store, maximumAge: .seconds(3600))
        // The load reads the old count, then a write commits before the value is stored.
        let stale = try await cache.value(for: "users") {
            let total = try await users.counts().total
            _ = try await users.create(email: "b@example.com")
            return total
        }
        #expect(stale == 0)
        #expect(try await cache.value(for: "users") { try await users.counts().total } == 1)
        try await store.close()
    }

    @Test("requests that miss the same key at once share one load")
    func sharedLoad() async throws {
        let store = try StateStore.inMemory(poolSize: 2)
        let cache = StateCache<Int>(store: store, maximumAge: .seconds(3600))
        final class Loads: Sendable {
            let count = Atomic<Int>(0)
        }
        let loads = Loads()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await cache.value(for: "slow") {
                        loads.count.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(200))
                        return 42
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values == Array(repeating: 42, count: 16))
        #expect(loads.count.load(ordering: .relaxed) == 1)
        try await store.close()
    }
}
