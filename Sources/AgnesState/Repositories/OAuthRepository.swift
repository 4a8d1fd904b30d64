// The MCP OAuth clients and their tokens: register, look up by hash, rotate a pair on refresh (in one transaction: the
// old refresh token can be used once), revoke one pair, a family, or everything a client holds.
import DuckDB
import Foundation

/// Reads and writes `oauth_clients` and `oauth_tokens`.
public struct OAuthRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let clientColumns = "id, name, redirect_uris, auth_method, secret_hash, registered_ip, created_at, revoked_at"
    static let tokenColumns = """
        id, client_id, user_id, family_id, access_hash, refresh_hash, scope, created_at, access_expires_at, refresh_expires_at, rotated_at,
        last_used_at, revoked_at
        """

    public func register(_ client: OAuthClient) async throws {
        try await store.write { connection in
            try connection.execute("""
                INSERT INTO oauth_clients (id, name, redirect_uris, auth_method, secret_hash, registered_ip, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, client.id, client.name, client.redirectURIs, client.authMethod.rawValue, client.secretHash, client.registeredIP, client.createdAt)
        }
    }

    public func client(id: String) async throws -> OAuthClient? {
        try await store.read { try $0.fetchOne(OAuthClient.self, "SELECT \(Self.clientColumns) FROM oauth_clients WHERE id = $1", id) }
    }

    /// Every client, newest first, with the users holding valid tokens and the last use.
    public func usage(at date: Date = Date()) async throws -> [OAuthClientUsage] {
        try await store.read { connection in
            let clients = try connection.fetchAll(OAuthClient.self, "SELECT \(Self.clientColumns) FROM oauth_clients ORDER BY created_at DESC, id")
            struct Row: Decodable {
                var clientId: String
                var users: [String]?
                var active: Int64
                var lastUsedAt: Date?
                enum CodingKeys: String, CodingKey {
                    case users, active
                    case clientId = "client_id"
                    case lastUsedAt = "last_used_at"
                }
            }
            let rows = try connection.fetchAll(Row.self, """
                SELECT t.client_id,
                       list(DISTINCT u.email ORDER BY u.email) FILTER (WHERE t.revoked_at IS NULL AND t.refresh_expires_at > $1
                                                                       AND t.rotated_at IS NULL) AS users,
                       count(*) FILTER (WHERE t.revoked_at IS NULL AND t.refresh_expires_at > $1 AND t.rotated_at IS NULL) AS active,
                       max(t.last_used_at) AS last_used_at
                FROM oauth_tokens t LEFT JOIN users u ON u.id = t.user_id GROUP BY t.client_id
                """, date)
            let byClient = Dictionary(rows.map { ($0.clientId, $0) }, uniquingKeysWith: { first, _ in first })
            return clients.map { client in
                let row = byClient[client.id]
                return OAuthClientUsage(client: client, users: row?.users ?? [], activeTokens: Int(row?.active ?? 0), lastUsedAt: row?.lastUsedAt)
            }
        }
    }

    public func issue(_ token: OAuthToken) async throws {
        try await store.write { connection in try Self.insert(token, connection) }
    }

    /// The pair whose access token hashes to `hash`.
    public func token(accessHash hash: String) async throws -> OAuthToken? {
        try await store.read { try $0.fetchOne(OAuthToken.self, "SELECT \(Self.tokenColumns) FROM oauth_tokens WHERE access_hash = $1", hash) }
    }

    /// The pair whose refresh token hashes to `hash`.
    public func token(refreshHash hash: String) async throws -> OAuthToken? {
        try await store.read { try $0.fetchOne(OAuthToken.self, "SELECT \(Self.tokenColumns) FROM oauth_tokens WHERE refresh_hash = $1", hash) }
    }

    /// Replaces `old` by `next` if `old` was not rotated or revoked meanwhile; false (and nothing written) otherwise.
    public func rotate(_ old: OAuthToken, to next: OAuthToken, at date: Date = Date()) async throws -> Bool {
        try await store.write { connection in
            guard let current = try connection.fetchOne(OAuthToken.self, "SELECT \(Self.tokenColumns) FROM oauth_tokens WHERE id = $1", old.id),
                  current.rotatedAt == nil, current.revokedAt == nil else { return false }
            try connection.execute("UPDATE oauth_tokens SET rotated_at = $2 WHERE id = $1", old.id, date)
            try Self.insert(next, connection)
            return true
        }
    }

    /// Revokes every pair of a family (a rotated refresh token came back: someone else may hold it).
    public func revokeFamily(_ familyId: String, at date: Date = Date()) async throws {
        try await store.write { connection in
            try connection.execute("UPDATE oauth_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE family_id = $1", familyId, date)
        }
    }

    /// Revokes every token a client holds; the client stays registered unless `unregister`.
    @discardableResult
    public func revokeClient(_ clientId: String, unregister: Bool = false, at date: Date = Date()) async throws -> Int {
        try await store.write { connection in
            guard try connection.fetchOne(OAuthClient.self, "SELECT \(Self.clientColumns) FROM oauth_clients WHERE id = $1", clientId) != nil else {
                throw StateError.notFound(what: "MCP client", id: clientId)
            }
            struct Count: Decodable { var n: Int64 }
            let count = try connection.fetchOne(Count.self, """
                SELECT count(*) AS n FROM oauth_tokens WHERE client_id = $1 AND revoked_at IS NULL AND rotated_at IS NULL
                """, clientId)?.n ?? 0
            try connection.execute("UPDATE oauth_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE client_id = $1", clientId, date)
            if unregister { try connection.execute("UPDATE oauth_clients SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", clientId, date) }
            return Int(count)
        }
    }

    /// Stamps a use of access token `id`, keeping the caches (as a personal access token's).
    public func recordUse(id: String, at date: Date = Date()) async throws {
        try await store.writeKeepingCaches { try $0.execute("UPDATE oauth_tokens SET last_used_at = $2 WHERE id = $1", id, date) }
    }

    static func insert(_ token: OAuthToken, _ connection: any StateConnection) throws {
        try connection.execute("""
            INSERT INTO oauth_tokens (id, client_id, user_id, family_id, access_hash, refresh_hash, scope, created_at, access_expires_at,
                                      refresh_expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, token.id, token.clientId, token.userId, token.familyId, token.accessHash, token.refreshHash, token.scope, token.createdAt,
                               token.accessExpiresAt, token.refreshExpiresAt)
    }
}
