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

    public init(id: String, email: String, name: String?, passwordHash: String?, active: Bool, deactivatedAt: Date?, deactivatedBy: String?,
                createdAt: Date, updatedAt: Date, lastLoginAt: Date?) {
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
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, active
        case passwordHash = "password_hash"
        case deactivatedAt = "deactivated_at"
        case deactivatedBy = "deactivated_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastLoginAt = "last_login_at"
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
