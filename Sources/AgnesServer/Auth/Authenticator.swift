// Turns the credentials of a request into an `Identity`, in upstream's order: LOCAL_DEV_MODE, then the bearer token
// or the `access_token` cookie; the scheduler token; then a JWT (session or personal access token) whose user must
// exist and be active, and, for a session, be of the user's current session epoch (a password change, a reset and a
// deactivation end older sessions); for a PAT, whose row must exist, match and be neither revoked nor expired.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

/// Authenticates requests.
struct Authenticator: Sendable {
    let services: ServerServices

    /// The caller of `request`. MCP OAuth access tokens are accepted only `allowingMCPTokens` (by the MCP endpoint).
    func authenticate(_ request: Request, clientIP: String, allowingMCPTokens: Bool = false) async throws -> Identity {
        if services.configuration.localDevMode, let developer = services.localDeveloper {
            guard let access = try await services.users.access(id: developer.id) else { throw ServiceError.unauthorized }
            return Identity(user: access.user, kind: .localDevelopment, groupIds: access.groupIds, isAdmin: true)
        }
        guard let (token, viaCookie) = Self.credentials(of: request) else { throw ServiceError.unauthorized }
        if let schedulerToken = services.configuration.schedulerToken, SecretComparison.equal(token, schedulerToken) {
            return Identity(user: Identity.schedulerUser, kind: .scheduler, groupIds: [], isAdmin: true)
        }
        if token.hasPrefix(MCPAuthorization.accessPrefix) {
            guard allowingMCPTokens, !viaCookie else { throw Self.refused("This token is for the MCP endpoint (/api/mcp/http) only") }
            return try await mcpIdentity(token)
        }
        return try await jwtIdentity(token, viaCookie: viaCookie, clientIP: clientIP)
    }

    /// The user of a session or personal access token: signed by us, of an existing active user, of the user's current
    /// session epoch (sessions) or of a stored, unrevoked, unexpired row (PATs).
    private func jwtIdentity(_ token: String, viaCookie: Bool, clientIP: String) async throws -> Identity {
        guard let claims = await services.tokens.verify(token) else { throw Self.refused("Invalid or expired token") }
        // The signature is verified, so the subject and token id are the issuer's; what the database says about them
        // is cached until the next write (a revocation, deactivation or membership change is a write).
        let stored = try await services.credentials.value(for: "\(claims.typ.rawValue) \(claims.sub.value) \(claims.jti.value)") {
            StoredCredentials(access: try await services.users.access(id: claims.sub.value),
                              personalAccessToken: claims.typ == .pat ? try await services.personalAccessTokens.get(id: claims.jti.value) : nil)
        }
        guard let access = stored.access else { throw Self.refused("User not found") }
        guard access.user.active else { throw Self.refused("Account deactivated") }
        var identity = Identity(user: access.user, kind: .session, groupIds: access.groupIds, isAdmin: access.isAdmin, viaCookie: viaCookie)
        if claims.typ == .session, (claims.sv ?? 0) != access.user.sessionEpoch {
            throw Self.refused("Session ended (the password was changed or the account deactivated): sign in again")
        }
        if claims.typ == .pat {
            try await checkPersonalAccessToken(stored.personalAccessToken, token: token, clientIP: clientIP, userId: access.user.id)
            identity.kind = .personalAccessToken
            identity.tokenId = claims.jti.value
            identity.surface = CredentialSurface(scopes: stored.personalAccessToken?.scopes ?? [])
        }
        return identity
    }

    /// The user an MCP OAuth access token was granted by, with workspace rights — what their groups are granted, through
    /// access policies: an administrator's administrator rights are not lent to an agent — if the token is valid now and
    /// its user active.
    private func mcpIdentity(_ token: String) async throws -> Identity {
        let authorization = services.domain.mcpAuthorization
        let stored = try await services.credentials.value(for: "mcp \(SecretComparison.sha256Hex(token))") {
            guard let grant = try await authorization.grant(ofAccessToken: token) else { return StoredCredentials() }
            return StoredCredentials(access: try await services.users.access(id: grant.token.userId), mcpGrant: grant)
        }
        let now = Date()
        guard let grant = stored.mcpGrant, grant.token.accessExpiresAt > now else { throw Self.refused("Invalid or expired token") }
        guard let access = stored.access, access.user.active else { throw Self.refused("Account deactivated") }
        try await services.tokenUses.note(grant.token.id, ip: nil, stored: grant.token.lastUsedAt.map { .init(at: $0, ip: nil) }, at: now) { use in
            try await authorization.recordUse(of: grant.token, at: use.at)
        }
        var identity = Identity(user: access.user, kind: .mcpOAuth, groupIds: access.groupIds, isAdmin: false, tokenId: grant.token.id)
        identity.surface = .workspace
        identity.mcpClientName = grant.client.name
        return identity
    }

    private func checkPersonalAccessToken(_ row: PersonalAccessToken?, token: String, clientIP: String, userId: String) async throws {
        guard let row, row.userId == userId else { throw Self.refused("Token unknown") }
        if row.revokedAt != nil { throw Self.refused("Token revoked") }
        let now = Date()
        if let expiresAt = row.expiresAt, expiresAt <= now { throw Self.refused("Token expired") }
        guard SecretComparison.equal(SecretComparison.sha256Hex(token), row.tokenHash) else { throw Self.refused("Token mismatch") }
        let stored = row.lastUsedAt.map { TokenUses.Use(at: $0, ip: row.lastUsedIp) }
        let previous = try await services.tokenUses.note(row.id, ip: clientIP, stored: stored, at: now) { use in
            try await services.personalAccessTokens.recordUse(id: row.id, ip: use.ip, at: use.at)
        }
        if let previousIP = previous?.ip, previousIP != clientIP {
            services.audit.record(AuditEntry(userId: userId, action: "token.first_use_new_ip", resource: "token:\(row.id)",
                                             params: (try? JSONCoding.encoder.encode(["previous_ip": previousIP])).map { String(decoding: $0, as: UTF8.self) },
                                             result: "success", clientIp: clientIP,
                                             clientKind: "cli"))
        }
    }

    /// The token of a request and whether it came from the cookie: `Authorization: Bearer …`, else `access_token`.
    static func credentials(of request: Request) -> (String, Bool)? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : (token, false)
            }
            return nil
        }
        if let cookie = request.cookies["access_token"], !cookie.value.isEmpty { return (cookie.value, true) }
        return nil
    }

    static func refused(_ detail: String) -> ServiceError { ServiceError(.unauthorized, detail) }
}

/// Authenticates every request of the routes it guards, setting `context.identity`; 401 otherwise.
struct AuthenticationMiddleware: RouterMiddleware {
    let authenticator: Authenticator

    func handle(_ request: Request, context: AgnesRequestContext,
                next: (Request, AgnesRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let identity = try await authenticator.authenticate(request, clientIP: context.clientIP)
        if identity.viaCookie {
            try CrossSiteGuard.check(request, serverURL: authenticator.services.configuration.serverURL)
        }
        context.identity = identity
        context.audit.attribute(toUser: identity.user.id, clientKind: identity.clientKind)
        return try await next(request, context)
    }
}
