// Personal access tokens: create (interactive sessions only; the token is shown once, its SHA-256 stored), list, show
// and revoke one's own; administrators list and revoke everyone's.
import AgnesAPI
import AgnesState
import Foundation

/// The use cases of personal access tokens.
public struct TokenService: Sendable {
    let domain: Domain
    let signer: AccessTokens

    public init(domain: Domain, signer: AccessTokens) {
        self.domain = domain
        self.signer = signer
    }

    /// Longest lifetime a token may ask for.
    public static let maximumDays = 3650
    public static let defaultDays = 90
    /// Token scopes: `general` (everything the user may do), `workspace` (for an analyst's workspace or an agent: reads
    /// go through access policies even for an administrator), `bootstrap-analyst` (a workspace token for one hour).
    static let scopes: Set<String> = ["general", "workspace", "bootstrap-analyst"]

    /// Tokens with the `bootstrap-analyst` scope live at most an hour.
    static let bootstrapScopeLifetime: TimeInterval = 3600

    var tokens: PersonalAccessTokensRepository { PersonalAccessTokensRepository(store: domain.state) }

    /// Creates a token for the caller (403 unless signed in interactively).
    public func create(_ request: CreateTokenRequest, for caller: Caller) async throws -> CreatedToken {
        let identity = caller.identity
        caller.audit.record("token.create")
        guard identity.kind == .session || identity.kind == .localDevelopment else {
            throw ServiceError(.forbidden, "This endpoint requires an interactive session, not a PAT")
        }
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ServiceError.badRequest("Token name must not be blank") }
        let scope = request.scope ?? "general"
        guard Self.scopes.contains(scope) else {
            throw ServiceError.badRequest("Unknown token scope '\(scope)': use one of \(Self.scopes.sorted().joined(separator: ", "))")
        }
        var lifetime = try Self.lifetime(request, isAdmin: identity.isAdmin)
        if scope == "bootstrap-analyst" { lifetime = min(lifetime ?? Self.bootstrapScopeLifetime, Self.bootstrapScopeLifetime) }
        let now = Date()
        let id = Identifier.make()
        let expiresAt = lifetime.map { now.addingTimeInterval($0) }
        let token = try await signer.issuePersonalAccessToken(id: id, for: identity.user, scope: scope, expiresAt: expiresAt, now: now)
        let prefix = String(id.replacingOccurrences(of: "-", with: "").prefix(8))
        let row = try await tokens.create(id: id, userId: identity.user.id, name: name, tokenHash: SecretComparison.sha256Hex(token), prefix: prefix,
                                          scopes: [scope], expiresAt: expiresAt)
        caller.audit.record("token.create", resource: "token:\(id)", params: ["name": name, "scope": scope])
        return CreatedToken(id: id, name: name, prefix: prefix, token: token, expiresAt: row.expiresAt, createdAt: row.createdAt)
    }

    /// The lifetime asked for: `ttl_seconds`, else `expires_in_days` (absent: 90 days; null: none, administrators only).
    static func lifetime(_ request: CreateTokenRequest, isAdmin: Bool) throws -> TimeInterval? {
        if let ttl = request.ttlSeconds {
            guard ttl > 0, ttl <= maximumDays * 86_400 else { throw ServiceError.badRequest("ttl_seconds must be between 1 and \(maximumDays * 86_400)") }
            return TimeInterval(ttl)
        }
        switch request.expiresInDays {
        case .none: return TimeInterval(defaultDays * 86_400)
        case let .some(.some(days)):
            guard days > 0, days <= maximumDays else { throw ServiceError.badRequest("expires_in_days must be between 1 and \(maximumDays)") }
            return TimeInterval(days * 86_400)
        case .some(.none):
            guard isAdmin else { throw ServiceError.badRequest("Only administrators may create tokens without expiry; set expires_in_days") }
            return nil
        }
    }

    /// The caller's tokens.
    public func mine(for caller: Caller) async throws -> [TokenInfo] {
        try await tokens.list(userId: caller.identity.user.id).map { Self.info($0) }
    }

    /// One of the caller's tokens; 404 for someone else's, so ids of other users' tokens are not confirmed.
    public func mine(_ id: String, for caller: Caller) async throws -> TokenInfo {
        Self.info(try await ownToken(id, caller))
    }

    /// Revokes one of the caller's tokens.
    public func revokeMine(_ id: String, for caller: Caller) async throws {
        let token = try await ownToken(id, caller)
        caller.audit.record("token.revoke", resource: "token:\(token.id)")
        try await tokens.revoke(id: token.id)
    }

    /// Every user's tokens with their owners (admins).
    public func all(for caller: Caller) async throws -> [TokenInfo] {
        try caller.requireAdmin()
        let users = Dictionary(uniqueKeysWithValues: try await UsersRepository(store: domain.state).list().map { ($0.id, $0) })
        return try await tokens.list(userId: nil).map { token in
            var info = Self.info(token)
            info.userId = token.userId
            info.userEmail = users[token.userId]?.email ?? ""
            info.lastUsedIp = token.lastUsedIp
            return info
        }
    }

    /// Revokes anyone's token (admins).
    public func revokeAny(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("token.admin_revoke", resource: "token:\(id)")
        guard try await tokens.get(id: id) != nil else { throw ServiceError.notFound("Token not found") }
        try await tokens.revoke(id: id)
    }

    private func ownToken(_ id: String, _ caller: Caller) async throws -> PersonalAccessToken {
        guard let token = try await tokens.get(id: id), token.userId == caller.identity.user.id else { throw ServiceError.notFound("Token not found") }
        return token
    }

    static func info(_ token: PersonalAccessToken) -> TokenInfo {
        TokenInfo(id: token.id, name: token.name, prefix: token.prefix, scopes: token.scopes, createdAt: token.createdAt, expiresAt: token.expiresAt,
                  lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt)
    }
}
