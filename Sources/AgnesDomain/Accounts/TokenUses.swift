// When each token (a personal access token, an MCP OAuth access token) was last used and from where, as the request
// path sees it: the stored row's stamp, or a newer one recorded since. A use is written at most once a `resolution`
// per token, or when the client address changes, and written without invalidating the state caches: a token in use
// must not make every cached manifest and grant be rebuilt once a minute. The cached rows keep their old stamp, so
// the newer one is remembered here.
import Foundation
import Synchronization

/// The last uses recorded by this process.
public final class TokenUses: Sendable {
    /// One use: when, and from which client address (nil when not tracked).
    public struct Use: Sendable, Equatable {
        public let at: Date
        public let ip: String?

        public init(at: Date, ip: String?) {
            self.at = at
            self.ip = ip
        }
    }

    /// A use is written at most this often per token, unless the address changes.
    public static let resolution: TimeInterval = 60
    /// Tokens remembered at most (past it, the stored stamps decide again, which costs one more write each).
    static let capacity = 100_000

    private let recorded = Mutex<[String: Use]>([:])

    public init() {}

    /// Records a use of token `id` now from `ip` when one is due, by `write` (which stores it); returns the use known
    /// before this one (to tell a new address), or nil when the token was never used.
    @discardableResult
    public func note(_ id: String, ip: String?, stored: Use?, at now: Date = Date(),
                     write: @Sendable (Use) async throws -> Void) async throws -> Use? {
        let previous = last(of: id, stored: stored)
        let due = previous.map { now.timeIntervalSince($0.at) >= Self.resolution || $0.ip != ip } ?? true
        guard due else { return previous }
        let use = Use(at: now, ip: ip)
        try await write(use)
        recorded.withLock { recorded in
            if recorded.count >= Self.capacity { recorded.removeAll(keepingCapacity: true) }
            recorded[id] = use
        }
        return previous
    }

    /// The newer of the stored use and the one recorded here.
    func last(of id: String, stored: Use?) -> Use? {
        let mine = recorded.withLock { $0[id] }
        guard let mine else { return stored }
        guard let stored else { return mine }
        return mine.at >= stored.at ? mine : stored
    }
}
