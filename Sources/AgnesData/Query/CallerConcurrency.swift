// At most a few queries or scans of one caller run at once (the rest wait their turn, first come first served), so
// one user's slow work cannot take every DuckDB thread from everyone else.
import Foundation
import Synchronization

/// A per-caller limit on work running at the same time.
public final class CallerConcurrency: Sendable {
    private struct State {
        var running: [String: Int] = [:]
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())
    /// How many pieces of work one caller may run at once.
    public let limit: Int

    public init(limit: Int) { self.limit = max(1, limit) }

    /// Runs `body` once fewer than `limit` pieces of work of `caller` are running.
    public func run<T>(for caller: String, _ body: () async throws -> T) async throws -> T {
        await acquire(caller)
        defer { release(caller) }
        return try await body()
    }

    /// How many pieces of work of `caller` run now.
    public func running(for caller: String) -> Int { state.withLock { $0.running[caller] ?? 0 } }

    private func acquire(_ caller: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                if state.running[caller, default: 0] < limit {
                    state.running[caller, default: 0] += 1
                    return true
                }
                state.waiting[caller, default: []].append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    private func release(_ caller: String) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if var queue = state.waiting[caller], !queue.isEmpty {
                let next = queue.removeFirst()
                state.waiting[caller] = queue.isEmpty ? nil : queue
                return next // its slot passes on: the running count stays
            }
            state.running[caller, default: 1] -= 1
            if state.running[caller] == 0 { state.running[caller] = nil }
            return nil
        }
        next?.resume()
    }
}
