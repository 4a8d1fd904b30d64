// Runs a long blocking job on a thread of its own, for background work (an engine rebuild) that must not hold one of the
// few threads of the shared blocking pool, which every request that touches DuckDB waits for.
import Foundation

public enum DedicatedThread {
    /// Runs `body` on a new thread and returns what it returns (or throws what it throws).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
