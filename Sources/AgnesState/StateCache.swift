// A small cache of values derived from the state database, valid until the next write through the store (or until
// they are older than a bound). Lets hot read paths — who a token belongs to, what a user may see — skip DuckDB on
// repeated requests without ever serving a value older than the last committed write. Requests that miss the same
// key at once share one load: a write under load costs one rebuild, not one per waiting request.
import Foundation
import Synchronization

/// Values by key, each remembered with the store's generation it was read at.
public final class StateCache<Value: Sendable>: Sendable {
    private struct Entry {
        let generation: UInt64
        let storedAt: ContinuousClock.Instant
        let value: Value
    }

    private struct Loading {
        let generation: UInt64
        let task: Task<Value, any Error>
    }

    private struct Contents {
        var entries: [String: Entry] = [:]
        var loading: [String: Loading] = [:]
    }

    private enum Lookup {
        case cached(Value)
        case loading(Task<Value, any Error>, started: Bool)
    }

    private let store: StateStore
    private let maximumAge: Duration
    private let capacity: Int
    private let contents = Mutex(Contents())

    public init(store: StateStore, maximumAge: Duration = .seconds(30), capacity: Int = 10_000) {
        self.store = store
        self.maximumAge = maximumAge
        self.capacity = capacity
    }

    /// The cached value for `key` when no write happened since it was read, else the value `load` reads (and keeps) —
    /// or the one a load already running for the same key and generation returns.
    public func value(for key: String, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        // The generation is taken before reading, so a write that lands during the read makes this entry stale.
        let generation = store.generation
        let now = ContinuousClock.now
        let lookup: Lookup = contents.withLock { contents in
            if let entry = contents.entries[key], entry.generation == generation, now - entry.storedAt < maximumAge {
                return .cached(entry.value)
            }
            if let loading = contents.loading[key], loading.generation == generation { return .loading(loading.task, started: false) }
            let task = Task { try await load() }
            contents.loading[key] = Loading(generation: generation, task: task)
            return .loading(task, started: true)
        }
        guard case let .loading(task, started) = lookup else {
            if case let .cached(value) = lookup { return value }
            preconditionFailure("unreachable")
        }
        let result = await task.result
        if started {
            contents.withLock { contents in
                if contents.loading[key]?.task == task { contents.loading[key] = nil }
                guard case let .success(value) = result else { return }
                if contents.entries.count >= capacity { contents.entries.removeAll(keepingCapacity: true) }
                if (contents.entries[key]?.generation ?? 0) <= generation {
                    contents.entries[key] = Entry(generation: generation, storedAt: now, value: value)
                }
            }
        }
        return try result.get()
    }

    /// Forgets everything.
    public func removeAll() {
        contents.withLock { $0.entries.removeAll() }
    }
}
