// The short-lived halves of the MCP OAuth flow, held in memory: authorization requests waiting for the user's consent
// (10 minutes) and authorization codes waiting to be exchanged (300 seconds, single use, stored by hash). A restart
// forgets them; the client then starts the flow again. Bounded: expired entries go first, then the oldest.
import Foundation
import Synchronization

/// Pending consents and issued codes.
public final class OAuthSessions: Sendable {
    /// An authorization request the user has not answered yet.
    public struct Pending: Sendable {
        public var clientId: String
        public var clientName: String
        public var redirectURI: String
        public var codeChallenge: String
        public var state: String?
        public var scope: String
    }

    /// An authorization code's grant.
    struct Code: Sendable {
        var clientId: String
        var userId: String
        var redirectURI: String
        var codeChallenge: String
        var scope: String
    }

    private let pendingRequests: Mutex<ExpiringEntries<Pending>>
    private let codes: Mutex<ExpiringEntries<Code>>

    public init(capacity: Int = 10_000) {
        pendingRequests = Mutex(ExpiringEntries(capacity: capacity))
        codes = Mutex(ExpiringEntries(capacity: capacity))
    }

    func add(pending: Pending, id: String, expiresAt: Date, now: Date = Date()) {
        pendingRequests.withLock { $0.insert(pending, for: id, expiresAt: expiresAt, now: now) }
    }

    /// The pending request `id`, if it has not expired.
    public func pending(_ id: String, now: Date = Date()) -> Pending? {
        pendingRequests.withLock { $0.value(for: id, now: now) }
    }

    /// Removes and returns the pending request `id` (an answer is given once).
    func takePending(_ id: String, now: Date = Date()) -> Pending? {
        pendingRequests.withLock { $0.take(id, now: now) }
    }

    func add(code: Code, hash: String, expiresAt: Date, now: Date = Date()) {
        codes.withLock { $0.insert(code, for: hash, expiresAt: expiresAt, now: now) }
    }

    /// Removes and returns the code with `hash` (a code is exchanged once), if it has not expired.
    func takeCode(_ hash: String, now: Date = Date()) -> Code? {
        codes.withLock { $0.take(hash, now: now) }
    }
}

/// Values that expire, at most `capacity` of them.
struct ExpiringEntries<Value: Sendable>: Sendable {
    private var entries: [String: (value: Value, expiresAt: Date)] = [:]
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func insert(_ value: Value, for key: String, expiresAt: Date, now: Date) {
        entries = entries.filter { $0.value.expiresAt > now }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key { entries[oldest] = nil }
        entries[key] = (value, expiresAt)
    }

    func value(for key: String, now: Date) -> Value? {
        entries[key].flatMap { $0.expiresAt > now ? $0.value : nil }
    }

    mutating func take(_ key: String, now: Date) -> Value? {
        entries.removeValue(forKey: key).flatMap { $0.expiresAt > now ? $0.value : nil }
    }
}
