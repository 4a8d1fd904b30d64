// A person who can sign in to Agnes.
import Foundation

/// A row of `users`. Emails are stored lower-cased, so lookups and uniqueness ignore case.
public struct User: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var email: String
    public var name: String?
    public var passwordHash: String?
    public var active: Bool
    public var deactivatedAt: Date?
    public var deactivatedBy: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var lastLoginAt: Date?
    /// Sessions issued in another epoch are over (a password change or reset, or a deactivation, moved it on).
    public var sessionEpoch: Int

    public init(id: String, email: String, name: String?, passwordHash: String?, active: Bool, deactivatedAt: Date?, deactivatedBy: String?,
                createdAt: Date, updatedAt: Date, lastLoginAt: Date?, sessionEpoch: Int = 0) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.active = active
        self.deactivatedAt = deactivatedAt
        self.deactivatedBy = deactivatedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastLoginAt = lastLoginAt
        self.sessionEpoch = sessionEpoch
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try container.decode(String.self, forKey: .id), email: try container.decode(String.self, forKey: .email),
                  name: try container.decodeIfPresent(String.self, forKey: .name),
                  passwordHash: try container.decodeIfPresent(String.self, forKey: .passwordHash), active: try container.decode(Bool.self, forKey: .active),
                  deactivatedAt: try container.decodeIfPresent(Date.self, forKey: .deactivatedAt),
                  deactivatedBy: try container.decodeIfPresent(String.self, forKey: .deactivatedBy),
                  createdAt: try container.decode(Date.self, forKey: .createdAt), updatedAt: try container.decode(Date.self, forKey: .updatedAt),
                  lastLoginAt: try container.decodeIfPresent(Date.self, forKey: .lastLoginAt),
                  sessionEpoch: try container.decodeIfPresent(Int.self, forKey: .sessionEpoch) ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, active
        case passwordHash = "password_hash"
        case deactivatedAt = "deactivated_at"
        case deactivatedBy = "deactivated_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastLoginAt = "last_login_at"
        case sessionEpoch = "session_epoch"
    }

    /// The canonical form of an email address: trimmed and lower-cased.
    public static func normalize(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// A user with what decides their access: their groups and whether they are an administrator.
public struct UserAccess: Sendable, Equatable {
    public var user: User
    public var groupIds: Set<String>
    public var isAdmin: Bool

    public init(user: User, groupIds: Set<String>, isAdmin: Bool) {
        self.user = user
        self.groupIds = groupIds
        self.isAdmin = isAdmin
    }
}
