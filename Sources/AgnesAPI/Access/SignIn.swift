// Signing in (`POST /auth/token`, `POST /auth/password/login`, `POST /auth/bootstrap`): what the CLI sends and the
// session token it gets back.
import Foundation

/// The body of `POST /auth/token` (upstream's CLI sign-in).
public struct SignInRequest: Codable, Sendable, Equatable {
    public var email: String
    public var password: String?

    public init(email: String, password: String?) {
        self.email = email
        self.password = password
    }
}

/// The body of `POST /auth/password/login`.
public struct PasswordSignInRequest: Codable, Sendable, Equatable {
    public var email: String
    public var password: String

    public init(email: String, password: String) {
        self.email = email
        self.password = password
    }
}

/// The body of `POST /auth/bootstrap`: the first administrator, only while no user has a password.
public struct BootstrapRequest: Codable, Sendable, Equatable {
    public var email: String
    public var name: String?
    public var password: String?

    public init(email: String, name: String? = nil, password: String? = nil) {
        self.email = email
        self.name = name
        self.password = password
    }
}

/// A session token (24 hours).
public struct TokenResponse: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType = "bearer"
    public var userId: String?
    public var email: String
    /// `admin` or `user`.
    public var role: String
    public var message: String?

    public init(accessToken: String, userId: String?, email: String, role: String, message: String?) {
        self.accessToken = accessToken
        self.userId = userId
        self.email = email
        self.role = role
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case email, role, message
        case accessToken = "access_token"
        case tokenType = "token_type"
        case userId = "user_id"
    }
}
