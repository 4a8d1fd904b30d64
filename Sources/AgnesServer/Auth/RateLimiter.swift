// Per-client-IP limits on the login, token, reset and magic-link endpoints (upstream's limits), answered with 429 and
// `Retry-After`. A fixed window per (endpoint, IP); windows of idle clients are dropped as they expire. Sign-in attempts
// (every endpoint that takes a password or a one-time token) share one budget per client address and one per account,
// so neither a second endpoint nor a second address buys an attacker more guesses.
import AgnesDomain
import Foundation
import Synchronization

/// Counts attempts per endpoint and client IP.
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
    /// The time now (a fixed time in tests, so a slow machine never sees a window expire mid-test).
    private let clock: @Sendable () -> Date

    public init(enabled: Bool, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.enabled = enabled
        self.clock = clock
    }

    /// Counts one request of `client` to `endpoint`; throws 429 once the limit is reached.
    public func check(endpoint: String, client: String, limit: Limit) throws {
        guard enabled else { return }
        let now = clock()
        let key = "\(endpoint) \(client)"
        let retryAfter: Int? = windows.withLock { windows in
            if windows.count > 10_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < limit.window } }
            var window = windows[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= limit.window { window = Window(start: now, count: 0) }
            window.count += 1
            windows[key] = window
            guard window.count > limit.count else { return nil }
            return max(1, Int((limit.window - now.timeIntervalSince(window.start)).rounded(.up)))
        }
        if let retryAfter {
            throw ServiceError(.tooManyRequests, "Too many requests — \(limit.description)", retryAfterSeconds: retryAfter)
        }
    }
}

extension RateLimiter {
    /// Counts one sign-in attempt from `client`, whichever sign-in endpoint it came to.
    public func checkSignIn(client: String) throws {
        try check(endpoint: "sign-in", client: "address \(client)", limit: .signInPerAddress)
    }

    /// Counts one sign-in attempt for the account `email`, from any address.
    public func checkSignIn(account email: String) throws {
        try check(endpoint: "sign-in", client: "account \(email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())",
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
