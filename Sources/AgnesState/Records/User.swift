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
