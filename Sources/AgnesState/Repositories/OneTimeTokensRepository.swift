// Single-use tokens: issue, and consume atomically so that exactly one of concurrent consumers wins.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `one_time_tokens`.
public struct OneTimeTokensRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Stores a token (by its hash) for `userId`, valid until `expiresAt`.
    public func issue(userId: String, purpose: OneTimeTokenPurpose, tokenHash: String, expiresAt: Date) async throws -> OneTimeToken {
        let id = Identifier.make()
        return try await store.write { connection in
            try mapUniqueViolation("a token with this hash exists already") {
                try connection.execute("INSERT INTO one_time_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
                                       id, userId, purpose.rawValue, tokenHash, expiresAt)
            }
            return try connection.fetchOne(OneTimeToken.self, "SELECT * FROM one_time_tokens WHERE id = $1", id)!
        }
    }

    /// Consumes the unexpired, unconsumed token with `tokenHash` for `purpose`, returning it, or nil when there is no
    /// such token. A compare-and-set `UPDATE … WHERE consumed_at IS NULL`: of concurrent consumers exactly one wins.
    /// With `userId`, only a token issued to that user is consumed.
    public func consume(tokenHash: String, purpose: OneTimeTokenPurpose, userId: String? = nil,
                        at date: Date = Date()) async throws -> OneTimeToken? {
        try await store.write { connection in
            try connection.fetchOne(OneTimeToken.self, """
                UPDATE one_time_tokens SET consumed_at = $3
                WHERE token_hash = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3 AND ($4::VARCHAR IS NULL OR user_id = $4)
                RETURNING *
                """, tokenHash, purpose.rawValue, date, userId)
        }
    }

    /// The token with `tokenHash` for `purpose`, consumed or not, expired or not (to tell a user why it failed).
    public func find(tokenHash: String, purpose: OneTimeTokenPurpose) async throws -> OneTimeToken? {
        try await store.read { connection in
            try connection.fetchOne(OneTimeToken.self, "SELECT * FROM one_time_tokens WHERE token_hash = $1 AND purpose = $2",
                                    tokenHash, purpose.rawValue)
        }
    }

    /// Deletes tokens that expired before `date`; returns how many.
    @discardableResult
    public func purgeExpired(before date: Date = Date()) async throws -> Int {
        try await store.write { try $0.execute("DELETE FROM one_time_tokens WHERE expires_at < $1", date) }
    }
}
