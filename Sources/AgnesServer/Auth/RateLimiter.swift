// Per-client-IP limits on the login, token, reset and magic-link endpoints (upstream's limits), answered with 429 and
// `Retry-After`. A fixed window per (endpoint, IP); windows of idle clients are dropped as they expire. Sign-in attempts
// (every endpoint that takes a password or a one-time token) share one budget per client address and one per account,
// so neither a second endpoint nor a second address buys an attacker more guesses. Replicas sharing a PostgreSQL state
// count in it, so the budget is the same however many replicas a load balancer spreads a client over.
import AgnesCore
import AgnesDomain
import AgnesState
import Crypto
import Foundation
import Synchronization

/// Counts attempts per endpoint and client IP: in memory, or in the state database when several processes share it.
public final class RateLimiter: Sendable {
    /// A limit: at most `count` requests per `window` seconds.
    public struct Limit: Sendable, Equatable {
        public let count: Int
        public let window: TimeInterval

        public static func perMinute(_ count: Int) -> Limit { Limit(count: count, window: 60) }

        /// How upstream words it in the 429 body.
        var description: String { "\(count) per \(window == 60 ? "1 minute" : "\(Int(window)) seconds")" }
    }

    private struct Window {
        var start: Date
        var count: Int
    }

    public let enabled: Bool
    private let windows = Mutex<[String: Window]>([:])
    /// The shared counter (a PostgreSQL state), or nil to count in this process's memory.
    private let shared: RateLimitRepository?
    private let sharedChecks = Atomic<Int>(0)
    /// The time now (a fixed time in tests, so a slow machine never sees a window expire mid-test).
    private let clock: @Sendable () -> Date

    /// A limiter counting in memory, or — given `shared` — in the state database, where every process sharing it
    /// counts against the same windows.
    public init(enabled: Bool, shared: RateLimitRepository? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.enabled = enabled
        self.shared = shared
        self.clock = clock
    }

    /// Whether the windows are counted in the state database, shared with other processes.
    public var isShared: Bool { shared != nil }

    /// Counts one request of `client` to `endpoint`; throws 429 once the limit is reached.
    public func check(endpoint: String, client: String, limit: Limit) async throws {
        guard enabled else { return }
        let now = clock()
        let key = "\(endpoint) \(client)"
        let window = if let shared { try await countShared(key, limit: limit, now: now, in: shared) } else { countInMemory(key, limit: limit, now: now) }
        guard window.count > limit.count else { return }
        let retryAfter = max(1, Int((limit.window - now.timeIntervalSince(window.start)).rounded(.up)))
        throw ServiceError(.tooManyRequests, "Too many requests — \(limit.description)", retryAfterSeconds: retryAfter)
    }

    private func countInMemory(_ key: String, limit: Limit, now: Date) -> Window {
        windows.withLock { windows in
            if windows.count > 10_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < limit.window } }
            var window = windows[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= limit.window { window = Window(start: now, count: 0) }
            window.count += 1
            windows[key] = window
            return window
        }
    }

    /// Counts in the state database under a digest of the key (the table holds no address or email). Every
    /// thousandth check drops windows idle for an hour.
    private func countShared(_ key: String, limit: Limit, now: Date, in shared: RateLimitRepository) async throws -> Window {
        let digest = Hex.encode(SHA256.hash(data: Data(key.utf8)))
        let (start, count) = try await shared.count(key: digest, window: .seconds(limit.window), now: now)
        if sharedChecks.add(1, ordering: .relaxed).newValue % 1_000 == 0 {
            try? await shared.removeWindows(startedBefore: now.addingTimeInterval(-3_600))
        }
        return Window(start: start, count: count)
    }
}

extension RateLimiter {
    /// Counts one sign-in attempt from `client`, whichever sign-in endpoint it came to.
    public func checkSignIn(client: String) async throws {
        try await check(endpoint: "sign-in", client: "address \(client)", limit: .signInPerAddress)
    }

    /// Counts one sign-in attempt for the account `email`, from any address.
    public func checkSignIn(account email: String) async throws {
        try await check(endpoint: "sign-in", client: "account \(email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())",
                  limit: .signInPerAccount)
    }
}

extension RateLimiter.Limit {
    /// Sign-in attempts per client address, all sign-in endpoints together (upstream allows 10 each to the two
    /// password endpoints).
    static let signInPerAddress = perMinute(20)
    /// Sign-in attempts per account, from all addresses together.
    static let signInPerAccount = perMinute(10)
    /// Upstream's limits per endpoint (`app/auth/*`, slowapi).
    static let bootstrap = perMinute(3)
    static let passwordResetRequest = perMinute(5)
    static let setupRequest = perMinute(5)
    static let magicLinkSend = perMinute(5)
}
