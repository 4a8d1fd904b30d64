// Personal access tokens: create (hash only), look up by hash, list, revoke, record use.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `personal_access_tokens`.
public struct PersonalAccessTokensRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = "id, user_id, name, token_hash, prefix, scopes, created_at, expires_at, last_used_at, last_used_ip, revoked_at"

    /// Stores a new token; the secret itself is never stored, only `tokenHash` and a display `prefix`.
    public func create(id: String = Identifier.make(), userId: String, name: String, tokenHash: String, prefix: String,
                       scopes: [String] = [], expiresAt: Date?) async throws -> PersonalAccessToken {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StateError.invalid("a token needs a name") }
        return try await store.write { connection in
            try mapUniqueViolation("a token with this hash exists already") {
                try connection.execute("""
                    INSERT INTO personal_access_tokens (id, user_id, name, token_hash, prefix, scopes, expires_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, id, userId, name, tokenHash, prefix, scopes, expiresAt)
            }
            return try Self.fetch(connection, id: id)!
        }
    }

    /// The token with `tokenHash` if it is usable now (not revoked, not expired), else nil.
    public func findUsable(tokenHash: String, at date: Date = Date()) async throws -> PersonalAccessToken? {
        try await store.read { connection in
            try connection.fetchOne(PersonalAccessToken.self, """
                SELECT \(Self.columns) FROM personal_access_tokens
                WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
                """, tokenHash, date)
        }
    }

    public func get(id: String) async throws -> PersonalAccessToken? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    /// A user's tokens, newest first (or everyone's when `userId` is nil).
    public func list(userId: String?) async throws -> [PersonalAccessToken] {
        try await store.read { connection in
            try connection.fetchAll(PersonalAccessToken.self, """
                SELECT \(Self.columns) FROM personal_access_tokens WHERE $1::VARCHAR IS NULL OR user_id = $1 ORDER BY created_at DESC, id
                """, userId)
        }
    }

    /// Revokes a token (idempotent); `.notFound` when it does not exist.
    public func revoke(id: String, at date: Date = Date()) async throws {
        try await store.write { connection in
            guard try Self.fetch(connection, id: id) != nil else { throw StateError.notFound(what: "token", id: id) }
            try connection.execute("UPDATE personal_access_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", id, date)
        }
    }

    /// Records that the token was used, and from where.
    /// Stamps a use of token `id`. Nothing cached reads the stamp (the request path remembers the uses it wrote), so
    /// the write keeps the caches.
    public func recordUse(id: String, ip: String?, at date: Date = Date()) async throws {
        try await store.writeKeepingCaches { connection in
            try connection.execute("UPDATE personal_access_tokens SET last_used_at = $2, last_used_ip = $3 WHERE id = $1", id, date, ip)
        }
    }

    static func fetch(_ connection: any StateConnection, id: String) throws -> PersonalAccessToken? {
        try connection.fetchOne(PersonalAccessToken.self, "SELECT \(columns) FROM personal_access_tokens WHERE id = $1", id)
    }
}
