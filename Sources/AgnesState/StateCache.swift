// A small cache of values derived from the state database, valid until the next write through the store (or until
// they are older than a bound). Lets hot read paths — who a token belongs to, what a user may see — skip DuckDB on
// repeated requests without ever serving a value older than the last committed write.
import Foundation
import Synchronization

/// Values by key, each remembered with the store's generation it was read at.
public final class StateCache<Value: Sendable>: Sendable {
    private struct Entry {
        let generation: UInt64
        let storedAt: ContinuousClock.Instant
        let value: Value
    }

    private let store: StateStore
    private let maximumAge: Duration
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(store: StateStore, maximumAge: Duration = .seconds(30), capacity: Int = 10_000) {
        self.store = store
        self.maximumAge = maximumAge
        self.capacity = capacity
    }

    /// The cached value for `key` when no write happened since it was read, else the value `load` reads (and keeps).
    public func value(for key: String, load: () async throws -> Value) async throws -> Value {
        let generation = store.generation
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.generation == generation, now - entry.storedAt < maximumAge {
            return entry.value
        }
        // The generation is taken before reading, so a write that lands during the read makes this entry stale.
        let value = try await load()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(generation: generation, storedAt: now, value: value)
        }
        return value
    }

    /// Forgets everything.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
