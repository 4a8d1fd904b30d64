// Checking an email and password against `users`: the outcome, from which each login endpoint words its answer, and
// the upgrade of a migrated argon2id hash to bcrypt after a successful check.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation

/// What a password check found. Every failure takes one password verification, so none is quicker to tell apart.
enum PasswordLoginOutcome: Sendable {
    case success(User)
    /// Unknown email, wrong or empty password, no password set, or a deactivated account: the caller answers all
    /// of them alike ("Invalid email or password").
    case refused(user: User?, reason: String)

    var user: User? {
        switch self {
        case let .success(user): user
        case let .refused(user, _): user
        }
    }

    /// The one answer to every refused sign-in, whatever the reason (which goes to the audit trail only).
    static let refusal = ServiceError(.unauthorized, "Invalid email or password")
}

/// Checks passwords.
struct PasswordLogin: Sendable {
    let services: ServerServices

    func check(email: String, password: String) async throws -> PasswordLoginOutcome {
        guard let user = try await services.users.find(email: email) else {
            try await services.passwords.verifyDummy(password)
            return .refused(user: nil, reason: "unknown_user")
        }
        guard let hash = user.passwordHash, !password.isEmpty else {
            try await services.passwords.verifyDummy(password)
            return .refused(user: user, reason: user.passwordHash == nil ? "no_password" : "empty_password")
        }
        switch try await services.passwords.verify(password, against: hash) {
        case .mismatch:
            return .refused(user: user, reason: "wrong_password")
        case let .matchNeedsRehash(replacement):
            try await services.users.setPasswordHash(id: user.id, replacement)
            services.logger.info("replaced the argon2id password hash of \(user.id) with bcrypt")
        case .match:
            break
        }
        guard user.active else { return .refused(user: user, reason: "deactivated") }
        try await services.users.recordLogin(id: user.id)
        return .success(user)
    }
}

extension ServerServices {
    /// A session token response for `user`.
    func sessionResponse(for user: User, includeUserId: Bool = true, message: String? = nil) async throws -> TokenResponse {
        let isAdmin = try await users.access(id: user.id)?.isAdmin ?? false
        return TokenResponse(accessToken: try await tokens.issueSession(for: user), userId: includeUserId ? user.id : nil,
                             email: user.email, role: isAdmin ? "admin" : "user", message: message)
    }

    /// The `Set-Cookie` value that signs a browser in with `token` (HttpOnly, SameSite=Lax, Secure over https).
    func sessionCookie(_ token: String) -> String {
        let secure = configuration.serverURL.lowercased().hasPrefix("https://") ? "; Secure" : ""
        return "access_token=\(token); Path=/; Max-Age=\(Int(AccessTokens.sessionLifetime)); HttpOnly; SameSite=Lax\(secure)"
    }
}
