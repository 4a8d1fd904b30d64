// When each user last pulled: the manifest notes the caller in memory (no write on the request's path), and the
// stamps go to `users.last_pull_at` in one batch every few seconds (`run`), or when many are waiting.
import AgnesState
import Foundation
import Synchronization

public final class PullStamps: Sendable {
    private let pending = Mutex<[String: Date]>([:])
    /// Stamps waiting that make a flush start at once rather than at the next tick.
    static let batchLimit = 1_000

    public init() {}

    /// Notes that `userId` asked for the manifest now; true when enough are waiting that the caller should flush.
    @discardableResult
    public func note(_ userId: String, at date: Date = Date()) -> Bool {
        pending.withLock { pending in
            pending[userId] = date
            return pending.count >= Self.batchLimit
        }
    }

    /// Writes every waiting stamp (keeping the caches: nothing cached reads them). A failed write puts them back.
    public func flush(to state: StateStore) async throws {
        let stamps = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        do {
            try await UsageRepository(store: state).stampPulls(stamps)
        } catch {
            pending.withLock { pending in pending.merge(stamps) { newer, _ in newer } }
            throw error
        }
    }

    /// Flushes every `interval` until cancelled, and once more on the way out.
    public func run(state: StateStore, every interval: Duration = .seconds(5)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            try? await flush(to: state)
        }
        try? await flush(to: state)
    }
}
