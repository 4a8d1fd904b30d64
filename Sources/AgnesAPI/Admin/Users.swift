// Users as administrators see and change them (`/api/users`, upstream's UserResponse).
import Foundation

/// A user with their groups.
public struct UserInfo: Codable, Sendable, Equatable {
    /// A group the user belongs to.
    public struct GroupRef: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var isSystem: Bool
        /// `system`, `google_sync` or `custom`.
        public var origin: String

        public init(id: String, name: String, isSystem: Bool, origin: String) {
            self.id = id
            self.name = name
            self.isSystem = isSystem
            self.origin = origin
        }

        enum CodingKeys: String, CodingKey {
            case id, name, origin
            case isSystem = "is_system"
        }
    }

    public var id: String
    public var email: String
    @Nullable public var name: String?
    /// `admin` or `user`.
    public var role: String
    public var isAdmin: Bool
    public var isSSOUser: Bool
    public var groups: [GroupRef]
    public var active: Bool
    public var createdAt: Date
    @Nullable public var deactivatedAt: Date?
    @Nullable public var lastLoginAt: Date?
    /// The password setup link, when the user was created with `send_invite`.
    @Nullable public var inviteURL: String?
    @Nullable public var inviteEmailSent: Bool?

    public init(id: String, email: String, name: String?, isAdmin: Bool, isSSOUser: Bool, groups: [GroupRef], active: Bool, createdAt: Date,
                deactivatedAt: Date?, lastLoginAt: Date?, inviteURL: String? = nil, inviteEmailSent: Bool? = nil) {
        self.id = id
        self.email = email
        self.name = name
        role = isAdmin ? "admin" : "user"
        self.isAdmin = isAdmin
        self.isSSOUser = isSSOUser
        self.groups = groups
        self.active = active
        self.createdAt = createdAt
        self.deactivatedAt = deactivatedAt
        self.lastLoginAt = lastLoginAt
        self.inviteURL = inviteURL
        self.inviteEmailSent = inviteEmailSent
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, role, groups, active
        case isAdmin = "is_admin"
        case isSSOUser = "is_sso_user"
        case createdAt = "created_at"
        case deactivatedAt = "deactivated_at"
        case lastLoginAt = "last_login_at"
        case inviteURL = "invite_url"
        case inviteEmailSent = "invite_email_sent"
    }
}

/// The body of `POST /api/users`.
public struct CreateUserRequest: Codable, Sendable, Equatable {
    public var email: String
    public var name: String?
    /// Email the password setup link (it is in the answer either way).
    public var sendInvite: Bool?

    public init(email: String, name: String? = nil, sendInvite: Bool? = nil) {
        self.email = email
        self.name = name
        self.sendInvite = sendInvite
    }

    enum CodingKeys: String, CodingKey {
        case email, name
        case sendInvite = "send_invite"
    }
}

/// The body of `PATCH /api/users/{id}`.
public struct UpdateUserRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var active: Bool?

    public init(name: String? = nil, active: Bool? = nil) {
        self.name = name
        self.active = active
    }
}

/// The body of `POST /api/users/{id}/set-password` (and of a user changing their own).
public struct SetPasswordRequest: Codable, Sendable, Equatable {
    public var password: String

    public init(password: String) {
        self.password = password
    }
}

/// The answer of `POST /api/users/{id}/reset-password`.
public struct PasswordResetLink: Codable, Sendable, Equatable {
    public var resetURL: String
    public var emailSent: Bool

    public init(resetURL: String, emailSent: Bool) {
        self.resetURL = resetURL
        self.emailSent = emailSent
    }

    enum CodingKeys: String, CodingKey {
        case resetURL = "reset_url"
        case emailSent = "email_sent"
    }
}
