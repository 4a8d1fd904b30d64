// MCP clients registered through OAuth 2.1 dynamic registration, and the token pairs users granted them.
import Foundation

/// How a client proves itself at the token endpoint: `none` (a public client, PKCE alone) or a secret.
public enum OAuthClientAuthMethod: String, Codable, Sendable, CaseIterable {
    case none
    case clientSecretPost = "client_secret_post"
    case clientSecretBasic = "client_secret_basic"
}

/// A row of `oauth_clients`.
public struct OAuthClient: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var redirectURIs: [String]
    public var authMethod: OAuthClientAuthMethod
    public var secretHash: String?
    public var registeredIP: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, redirectURIs: [String], authMethod: OAuthClientAuthMethod, secretHash: String?, registeredIP: String?,
                createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.redirectURIs = redirectURIs
        self.authMethod = authMethod
        self.secretHash = secretHash
        self.registeredIP = registeredIP
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case redirectURIs = "redirect_uris"
        case authMethod = "auth_method"
        case secretHash = "secret_hash"
        case registeredIP = "registered_ip"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

/// A row of `oauth_tokens`: one access and refresh token pair a user granted a client.
public struct OAuthToken: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var clientId: String
    public var userId: String
    /// The pairs descending from one authorization share it; reusing a rotated refresh token revokes them all.
    public var familyId: String
    public var accessHash: String
    public var refreshHash: String
    public var scope: String
    public var createdAt: Date
    public var accessExpiresAt: Date
    public var refreshExpiresAt: Date
    /// When its refresh token was exchanged for the next pair.
    public var rotatedAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: String, clientId: String, userId: String, familyId: String, accessHash: String, refreshHash: String, scope: String,
                createdAt: Date, accessExpiresAt: Date, refreshExpiresAt: Date) {
        self.id = id
        self.clientId = clientId
        self.userId = userId
        self.familyId = familyId
        self.accessHash = accessHash
        self.refreshHash = refreshHash
        self.scope = scope
        self.createdAt = createdAt
        self.accessExpiresAt = accessExpiresAt
        self.refreshExpiresAt = refreshExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, scope
        case clientId = "client_id"
        case userId = "user_id"
        case familyId = "family_id"
        case accessHash = "access_hash"
        case refreshHash = "refresh_hash"
        case createdAt = "created_at"
        case accessExpiresAt = "access_expires_at"
        case refreshExpiresAt = "refresh_expires_at"
        case rotatedAt = "rotated_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }
}

/// A client with who authorized it and when it was last used (for administrators).
public struct OAuthClientUsage: Codable, Sendable, Equatable {
    public var client: OAuthClient
    /// Emails of the users holding tokens for it that are still valid.
    public var users: [String]
    public var activeTokens: Int
    public var lastUsedAt: Date?
}
