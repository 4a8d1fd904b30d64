// `/readyz`: whether this process should get traffic, from a write canary every 30 seconds (`run`), with upstream's
// hysteresis — three failures in a row take it out, two successes in a row bring it back — so one slow write does
// not flap a load balancer.
import AgnesAPI
import AgnesState
import Foundation
import Synchronization

public final class ReadinessProbe: Sendable {
    struct State {
        var ready = true
        var canaryReady = false
        var consecutiveFailures = 0
        var consecutiveSuccesses = 0
        var lastCanaryAt: Date?
        var lastError: String?
    }

    static let failuresToTrip = 3
    static let successesToRecover = 2
    private let state = Mutex(State())

    public init() {}

    /// Takes one canary's outcome into account.
    public func record(success: Bool, at date: Date = Date(), error: String? = nil) {
        state.withLock { state in
            state.lastCanaryAt = date
            if success {
                state.canaryReady = true
                state.consecutiveFailures = 0
                state.consecutiveSuccesses += 1
                state.lastError = nil
                if !state.ready, state.consecutiveSuccesses >= Self.successesToRecover { state.ready = true }
            } else {
                state.consecutiveSuccesses = 0
                state.consecutiveFailures += 1
                state.lastError = error
                if state.ready, state.consecutiveFailures >= Self.failuresToTrip { state.ready = false }
            }
        }
    }

    /// What `/readyz` answers.
    public var readiness: Readiness {
        state.withLock { state in
            Readiness(status: state.ready ? "ready" : "not_ready", failedChecks: state.ready ? [] : ["state_write"], canaryReady: state.canaryReady,
                      consecutiveFailures: state.consecutiveFailures, lastCanaryAt: state.lastCanaryAt)
        }
    }

    /// Writes the canary now and records the outcome.
    public func probe(_ store: StateStore) async {
        do {
            try await UsageRepository(store: store).writeCanary()
            record(success: true)
        } catch {
            record(success: false, error: String(describing: error))
        }
    }

    /// A canary at once, then every `interval` until cancelled.
    public func run(_ store: StateStore, every interval: Duration = .seconds(30)) async {
        while !Task.isCancelled {
            await probe(store)
            try? await Task.sleep(for: interval)
        }
    }
}
