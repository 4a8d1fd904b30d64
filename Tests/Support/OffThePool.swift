// Waiting without holding a thread of Swift's cooperative pool. On a two-core machine that pool has two threads; a
// test that blocks one (a synchronous loop, `waitUntilExit()` on a process that runs for a minute) stalls every other
// test's async work meanwhile — the in-process servers' requests among it, which then time out at HummingbirdTesting's
// fixed 20 seconds.
import Foundation

/// Runs `work` on a thread of its own and waits for it.
public func offTheCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

extension Process {
    /// Starts the process and waits for it to end; past `timeout` it is sent SIGTERM (a test must not hang).
    public func runUntilExit(timeout: Duration = .seconds(600)) async throws {
        let (exited, continuation) = AsyncStream<Void>.makeStream()
        terminationHandler = { _ in continuation.finish() }
        try run()
        let pid = processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGTERM)
        }
        defer { watchdog.cancel() }
        for await _ in exited {}
    }

    /// Waits for a process started elsewhere to end (polling, a few times a second); SIGTERM past `timeout`.
    public func exit(within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now > deadline { kill(processIdentifier, SIGTERM) }
            try await Task.sleep(for: .milliseconds(20))
        }
        waitUntilExit()
    }
}
