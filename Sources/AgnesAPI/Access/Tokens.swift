// Personal access tokens (`/auth/tokens`, `/auth/admin/tokens`): the token itself is shown once, at creation.
import Foundation

/// The body of `POST /auth/tokens`.
public struct CreateTokenRequest: Codable, Sendable, Equatable {
    public var name: String
    /// nil: the field was absent (90 days); `.some(nil)`: explicitly null (no expiry, administrators only).
    public var expiresInDays: Int??
    /// `general` (default) or `bootstrap-analyst` (one hour at most).
    public var scope: String?
    /// The lifetime in seconds, instead of days.
    public var ttlSeconds: Int?

    public init(name: String, expiresInDays: Int?? = nil, scope: String? = nil, ttlSeconds: Int? = nil) {
        self.name = name
        self.expiresInDays = expiresInDays
        self.scope = scope
        self.ttlSeconds = ttlSeconds
    }

    enum CodingKeys: String, CodingKey {
        case name, scope
        case expiresInDays = "expires_in_days"
        case ttlSeconds = "ttl_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        if container.contains(.expiresInDays) {
            expiresInDays = .some(try container.decodeIfPresent(Int.self, forKey: .expiresInDays))
        }
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
        ttlSeconds = try container.decodeIfPresent(Int.self, forKey: .ttlSeconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch expiresInDays {
        case .none: break
        case let .some(days): try container.encode(days, forKey: .expiresInDays)
        }
        try container.encodeIfPresent(scope, forKey: .scope)
        try container.encodeIfPresent(ttlSeconds, forKey: .ttlSeconds)
    }
}

/// The answer to a create: the only time the token itself is shown.
public struct CreatedToken: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var prefix: String
    public var token: String
    @Nullable public var expiresAt: Date?
    public var createdAt: Date

    public init(id: String, name: String, prefix: String, token: String, expiresAt: Date?, createdAt: Date) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.token = token
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, token
        case expiresAt = "expires_at"
        case createdAt = "created_at"
    }
}

/// A token as listed (never the token itself); the owner's fields only in the administrators' list.
public struct TokenInfo: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var prefix: String
    public var scopes: [String]
    public var createdAt: Date
    @Nullable public var expiresAt: Date?
    @Nullable public var lastUsedAt: Date?
    @Nullable public var revokedAt: Date?
    public var userId: String?
    public var userEmail: String?
    public var lastUsedIp: String?

    public init(id: String, name: String, prefix: String, scopes: [String], createdAt: Date, expiresAt: Date?, lastUsedAt: Date?, revokedAt: Date?,
                userId: String? = nil, userEmail: String? = nil, lastUsedIp: String? = nil) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.userId = userId
        self.userEmail = userEmail
        self.lastUsedIp = lastUsedIp
    }

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
        case userId = "user_id"
        case userEmail = "user_email"
        case lastUsedIp = "last_used_ip"
    }
}
