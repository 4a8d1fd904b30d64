// The time syncs and the scheduler read, and how the scheduler waits between ticks: the system clock in the server,
// a clock a test steps by hand to drive the scheduler through hours in a moment.
import Foundation

/// Where the data plane gets the time and how the scheduler sleeps.
public protocol SyncClock: Sendable {
    /// Now (UTC).
    func now() -> Date
    /// Waits `duration`; throws when the wait is cancelled (the scheduler then stops).
    func sleep(for duration: Duration) async throws
}

/// The system's clock.
public struct SystemSyncClock: SyncClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
