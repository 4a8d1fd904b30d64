// Secrets that stand for a user: single-use tokens (magic links, password setup/reset) and personal access tokens.
// Only SHA-256 hashes of the secrets are stored.
import Foundation

/// What a single-use token is for.
public enum OneTimeTokenPurpose: String, Codable, Sendable, CaseIterable {
    case magicLink = "magic_link"
    case passwordSetup = "password_setup"
    case passwordReset = "password_reset"
}

/// A row of `one_time_tokens`.
public struct OneTimeToken: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var userId: String
    public var purpose: OneTimeTokenPurpose
    public var tokenHash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var consumedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, purpose
        case userId = "user_id"
        case tokenHash = "token_hash"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case consumedAt = "consumed_at"
    }
}

/// A row of `personal_access_tokens`.
public struct PersonalAccessToken: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var userId: String
    public var name: String
    public var tokenHash: String
    /// The first characters of the token, shown so a user can tell tokens apart.
    public var prefix: String
    public var scopes: [String]
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var lastUsedIp: String?
    public var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes
        case userId = "user_id"
        case tokenHash = "token_hash"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case lastUsedIp = "last_used_ip"
        case revokedAt = "revoked_at"
    }

    /// Usable now: not revoked and not expired.
    public func isUsable(at date: Date = Date()) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > date } ?? true)
    }
}
