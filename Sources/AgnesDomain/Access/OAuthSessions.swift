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
        var expiresAt: Date
    }

    /// An authorization code's grant.
    struct Code: Sendable {
        var clientId: String
        var userId: String
        var redirectURI: String
        var codeChallenge: String
        var scope: String
        var expiresAt: Date
    }

    private struct Entries {
        var pending: [String: Pending] = [:]
        var codes: [String: Code] = [:]
    }

    private let entries = Mutex(Entries())
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func add(pending: Pending, id: String, now: Date = Date()) {
        entries.withLock { entries in
            entries.pending = entries.pending.filter { $0.value.expiresAt > now }
            if entries.pending.count >= capacity, let oldest = entries.pending.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key {
                entries.pending[oldest] = nil
            }
            entries.pending[id] = pending
        }
    }

    /// The pending request `id`, if it has not expired.
    public func pending(_ id: String, now: Date = Date()) -> Pending? {
        entries.withLock { $0.pending[id].flatMap { $0.expiresAt > now ? $0 : nil } }
    }

    /// Removes and returns the pending request `id` (an answer is given once).
    func takePending(_ id: String, now: Date = Date()) -> Pending? {
        entries.withLock { $0.pending.removeValue(forKey: id).flatMap { $0.expiresAt > now ? $0 : nil } }
    }

    func add(code: Code, hash: String, now: Date = Date()) {
        entries.withLock { entries in
            entries.codes = entries.codes.filter { $0.value.expiresAt > now }
            if entries.codes.count >= capacity, let oldest = entries.codes.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key {
                entries.codes[oldest] = nil
            }
            entries.codes[hash] = code
        }
    }

    /// Removes and returns the code with `hash` (a code is exchanged once), if it has not expired.
    func takeCode(_ hash: String, now: Date = Date()) -> Code? {
        entries.withLock { $0.codes.removeValue(forKey: hash).flatMap { $0.expiresAt > now ? $0 : nil } }
    }
}
